// Takes the README's screenshots of the built app at 1280 and 360 px wide: `npx tsx scripts/screenshots.ts`.
// Against the simulator (same origin, like ComfyUI's --front-end-root) so the shell shows a live server.
import type { Page } from '@playwright/test';
import { forEachLook, forEachViewport, launchBrowser, out } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';
// `/history`, `/generation` and `/share` are taken by their sections below (History first makes a few generations
// to show; a share link is made from a template the browser already has, so the view offers "Replace mine").
const allViews = (process.argv[3] ?? '/,/settings').split(',');
const views = allViews.filter((v) => !['/history', '/share', '/generation'].includes(v));

/**
 * Waits until the view says it is no longer loading (on a busy machine the model folders, the templates or a chart's
 * first sample can take a few seconds), then takes it as it is after 10 s.
 */
async function settled(page: Page) {
	await page
		.waitForFunction(
			() =>
				!/Loading|Reading the|Waiting for the first/.test(document.querySelector('main')?.textContent ?? ''),
			null,
			{ timeout: 10_000 }
		)
		.catch(() => undefined);
}

const browser = await launchBrowser();
await forEachViewport({
	browser,
	each: async ({ page, name }) => {
		for (const entry of views) {
			// `/settings@backup-heading`: the view scrolled to that element (a section below the fold).
			const [view = '/', anchor] = entry.split('@');
			await page.goto(`${base}#${view}`);
			await page.waitForLoadState('networkidle');
			await settled(page);
			if (anchor)
				await page
					.locator(`#${anchor}`)
					.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 120));
			await page.waitForTimeout(400);
			const named = view === '/' ? 'dashboard' : view.replace(/^\//, '').replace(/\W+/g, '-');
			await page.screenshot({ path: name(anchor ? `${named}-${anchor.replace(/-heading$/, '')}` : named) });
		}
	}
});

// History gallery and detail: a few generations made through the UI in one context, then every width and scheme.
if (allViews.includes('/history')) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await context.newPage();
	const runs: [string, Record<string, string>][] = [
		['demo-solid-color', { Width: '512', Height: '512' }],
		['demo-color-scale', {}],
		['demo-solid-color', { Width: '768', Height: '512', 'Color (0xRRGGBB as a number)': '16744448' }],
		['demo-solid-color', { Width: '512', Height: '768', 'Color (0xRRGGBB as a number)': '3381555' }]
	];
	for (const [template, values] of runs) {
		await page.goto(`${base}#/generate/${template}`);
		const generate = page.getByRole('button', { name: 'Generate' });
		await generate.waitFor();
		await page.waitForTimeout(300);
		for (const [label, value] of Object.entries(values)) {
			const field = page.getByLabel(label, { exact: true });
			if (await field.count()) await field.fill(value);
		}
		await generate.click();
		await page.getByRole('list', { name: 'Results' }).getByRole('img').first().waitFor({ timeout: 30_000 });
	}
	await page.goto(`${base}#/history`);
	await page
		.getByRole('link', { name: /^Open / })
		.first()
		.click();
	await page.getByLabel('Tags (comma-separated)').fill('keeper, poster');
	await page.getByRole('button', { name: 'Save tags' }).click();
	await page
		.getByLabel('Note', { exact: true })
		.fill('Orange variant for the poster; try a warmer tone next.');
	await page.getByRole('button', { name: 'Save note' }).click();
	const detail = page.url().slice(page.url().indexOf('#'));
	await forEachLook({
		page,
		each: async ({ name }) => {
			for (const [slug, hash] of [
				['history', '#/history'],
				['history-detail', detail]
			] as const) {
				await page.goto(`${base}${hash}`);
				await page.waitForLoadState('networkidle');
				await page.waitForTimeout(500);
				await page.screenshot({ path: name(slug) });
			}
		}
	});
	await context.close();
}

// A run of SD 1.5 on the simulator, its steps paced so the live preview can be taken, then its result.
if (allViews.includes('/generation')) {
	const control = (page: Page, data: object) => page.request.post(`${base}__sim/control`, { data });
	await forEachViewport({
		browser,
		each: async ({ page, name }) => {
			await control(page, { action: 'previewStream', fps: 4 });
			await page.goto(`${base}#/generate/sd15-txt2img`);
			const generate = page.getByRole('button', { name: 'Generate' });
			await generate.waitFor();
			await page.waitForTimeout(500);
			// The same prompt again would be answered from the server's cache, with no steps to show.
			await page.getByRole('button', { name: 'Randomize Seed' }).click();
			await generate.click();
			const preview = page.getByRole('img', { name: 'Live preview of the running generation' });
			await preview.waitFor({ timeout: 30_000 });
			await preview.scrollIntoViewIfNeeded();
			await page.waitForTimeout(1500);
			await page.screenshot({ path: name('generation-running') });
			const result = page.getByRole('list', { name: 'Results' }).getByRole('img').first();
			await result.waitFor({ timeout: 60_000 });
			await result.scrollIntoViewIfNeeded();
			await page.waitForTimeout(300);
			await page.screenshot({ path: name('generation-result') });
			await control(page, { action: 'reset' });
		}
	});
}

if (allViews.includes('/share')) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await context.newPage();
	await page.goto(`${base}#/generate/sd15-txt2img`);
	await page.getByRole('button', { name: 'Share link' }).click();
	const link = await page.getByRole('textbox', { name: /^Share link for/ }).inputValue();
	const hash = link.slice(link.indexOf('#'));
	await forEachLook({
		page,
		each: async ({ name }) => {
			await page.goto(`${base}${hash}`);
			await page.getByRole('button', { name: 'Replace mine' }).waitFor();
			await page.waitForTimeout(300);
			await page.screenshot({ path: name('share'), fullPage: true });
		}
	});
	await context.close();
}

await browser.close();
console.log(`Screenshots written to ${out}/`);
