import { expect, test, type Page } from '@playwright/test';
import { appBase as base, control, resetSimulatorEachTest, openTemplate } from './page-helpers';

// The built index.html carries a strict Content-Security-Policy (docs/decisions/006-content-security-policy.md).
// Every view, including a running generation with live previews, must work under it without one violation:
// the simulator serves the build at the same origin, as ComfyUI --front-end-root does.

/** Collects every CSP violation the page reports, from the first script on (before the app runs). */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
	await page.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
		document.addEventListener('securitypolicyviolation', (event) => {
			seen.push(
				`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`
			);
		});
	});
	const console: string[] = [];
	page.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) console.push(message.text());
	});
	return async () => [
		...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)),
		...console
	];
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });

resetSimulatorEachTest();

test('the policy is in force: an injected inline script or event handler never runs', async ({ page }) => {
	await page.goto(base);
	await expect(heading(page, 'Dashboard')).toBeVisible();
	const policy = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
	expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'(;|$)/);
	// No eval: Playwright's own evaluate bypasses the policy, so the directive itself is what can be checked.
	expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);

	const ran = await page.evaluate(async () => {
		const w = window as unknown as { __canary?: string[] };
		w.__canary = [];
		const script = document.createElement('script');
		script.textContent = 'window.__canary.push("inline script")';
		document.body.append(script);
		const holder = document.createElement('div');
		holder.innerHTML = '<img src="data:," onerror="window.__canary.push(\'onerror\')" alt="">';
		document.body.append(holder);
		await new Promise((resolve) => setTimeout(resolve, 300));
		return w.__canary;
	});
	expect(ran).toEqual([]);
});

test('every view works under the policy with no violation, a running generation included', async ({
	page
}) => {
	const violations = await watchViolations(page);

	await page.goto(base);
	await expect(heading(page, 'Dashboard')).toBeVisible();

	// Generate and a run: form, live preview (a blob: image), results, the download link.
	await page.goto(`${base}#/generate`);
	await expect(heading(page, 'Generate')).toBeVisible();
	// Steps paced at 10 a second, so the live preview lasts long enough to be seen on a loaded machine.
	await control(page, { action: 'previewStream', fps: 10 });
	await openTemplate(page, 'sd15-txt2img');
	// A fresh browser's first run uses the template's seed, and the server would answer from its cache (no steps,
	// no previews) if an earlier test ran the same prompt.
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByRole('img', { name: 'Live preview of the running generation' })).toBeVisible({
		timeout: 15_000
	});
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 30_000
	});

	// History and one generation's detail, with its image.
	await page.goto(`${base}#/history`);
	await expect(heading(page, 'History')).toBeVisible();
	const card = page.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / });
	await expect(card).toHaveCount(1, { timeout: 10_000 });
	await card.click();
	await expect(page.getByRole('img').first()).toBeVisible();

	// The dashboard again, now with a finished job in its charts.
	await page.goto(`${base}#/`);
	await expect(heading(page, 'Dashboard')).toBeVisible();
	await expect(page.getByRole('img', { name: /.+/ }).first()).toBeVisible();

	for (const [hash, name] of [
		['#/templates', 'Templates'],
		['#/settings', 'Settings'],
		['#/queue', 'Queue'],
		['#/models', 'Models'],
		['#/logs', 'Logs']
	] as const) {
		await page.goto(base + hash);
		await expect(heading(page, name)).toBeVisible();
	}
	// One template's page (versions, editor).
	await page.goto(`${base}#/templates`);
	await page
		.getByRole('link', { name: /^Edit / })
		.first()
		.click();
	await expect(page).toHaveURL(/#\/templates\/.+/);
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();

	expect(await violations()).toEqual([]);
});
