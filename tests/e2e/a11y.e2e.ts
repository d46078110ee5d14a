import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import { PORTS } from '../../playwright.config';
import { seedGrid } from './grid-helpers';

// axe-core over every view at 1280 and 360 px, light and dark: no violation of any rule axe runs by default.
// One page for the whole test (the data is made once); each width and scheme is set on it in turn. The views are
// reached by changing the fragment (hash routing), so the page stays one document: axe is put in once (through
// the DevTools protocol, which the app's CSP does not apply to) and asked for violations only, which is most of
// the time a full axe report takes.
const base = `http://127.0.0.1:${PORTS.simulatorApp}/`;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axeViolations(page: Page, where: string): Promise<string[]> {
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
	const result = await page.evaluate(() =>
		(
			window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }
		).axe.run(document, {
			resultTypes: ['violations']
		})
	);
	return result.violations.flatMap((v) =>
		v.nodes.map(
			(n) =>
				`${where}: ${v.id} (${v.impact ?? 'n/a'}) ${v.help}\n    at ${n.target.join(' ')}\n    ${n.html.slice(0, 200)}`
		)
	);
}

async function control(page: Page, body: Record<string, unknown>) {
	const response = await page.request.post(`${base}__sim/control`, { data: body });
	expect(response.ok()).toBe(true);
}

test.beforeEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

test.afterEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

interface View {
	name: string;
	hash: string;
	/** Visible once the view has what it shows (axe runs on that, not on a loading state). */
	ready: (page: Page) => Locator;
	/** Brings up what the view is about after it is ready (a dialog). */
	open?: (page: Page) => Promise<void>;
}

const h1 = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name });

async function generate(page: Page, template: string, fields: Record<string, string>, n: number) {
	await page.goto(`${base}#/generate/${template}`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	for (const [label, value] of Object.entries(fields)) {
		const field = page.getByLabel(label, { exact: true });
		await field.fill(value);
		await field.press('Tab');
	}
	await button.click();
	await expect(page.getByRole('region', { name: 'Runs' }).getByRole('status')).toHaveText(
		`${n} ${n === 1 ? 'run' : 'runs'} · ${n} done`,
		{ timeout: 30_000 }
	);
}

test('every view passes axe at 1280 and 360 px, light and dark', async ({ page }) => {
	test.setTimeout(180_000);
	// Two runs of one template (History, its detail, the comparison, the viewer), a run whose History card wears
	// badges (video, audio, a count), a grid, a share link.
	const color = 'Color (0xRRGGBB as a number)';
	await generate(page, 'demo-media', {}, 1);
	await generate(page, 'demo-solid-color', { [color]: String(0x0000ff) }, 1);
	await generate(page, 'demo-solid-color', { [color]: String(0xff0000) }, 2);
	await page.getByRole('button', { name: 'Share link' }).click();
	const share = await page.getByRole('textbox', { name: /Share link for/ }).inputValue();
	await seedGrid(page, { id: 'grid-a11y', xs: ['5', '8'], ys: ['euler'], done: ['0,0'], failed: ['1,0'] });
	await page.goto(`${base}#/history`);
	await page
		.getByRole('list', { name: 'Generations' })
		.getByRole('link', { name: /^Open Demo/ })
		.first()
		.click();
	await expect(page.getByRole('table', { name: 'Difference to another run' })).toBeVisible();
	const detail = new URL(page.url()).hash;

	const views: View[] = [
		{ name: 'dashboard', hash: '#/', ready: (p) => p.getByRole('button', { name: 'Check again' }) },
		{ name: 'generate', hash: '#/generate', ready: (p) => p.getByRole('list', { name: /^Templates/ }) },
		{
			name: 'generate sd15',
			hash: '#/generate/sd15-txt2img',
			ready: (p) => p.getByRole('button', { name: 'Generate', exact: true })
		},
		{
			name: 'generate demo',
			hash: '#/generate/demo-solid-color',
			ready: (p) => p.getByRole('list', { name: 'Results' }).getByRole('img').first()
		},
		{ name: 'templates', hash: '#/templates', ready: (p) => p.getByRole('list', { name: 'Your templates' }) },
		{ name: 'template editor', hash: '#/templates/sd15-txt2img', ready: h1(/^Edit /) },
		{
			name: 'history',
			hash: '#/history',
			ready: (p) => p.getByRole('link', { name: /^Open Demo: .*, Video, .*\d+ results, Done/ })
		},
		{
			name: 'history detail and compare',
			hash: detail,
			ready: (p) => p.getByRole('img', { name: /^Other run: / })
		},
		{
			name: 'viewer',
			hash: detail,
			ready: (p) => p.getByRole('link', { name: /^View / }).first(),
			open: async (p) => {
				await p
					.getByRole('link', { name: /^View / })
					.first()
					.click();
				await expect(p.getByRole('dialog').getByRole('img')).toBeVisible();
			}
		},
		{ name: 'queue', hash: '#/queue', ready: h1('Queue') },
		{ name: 'grids', hash: '#/grids', ready: (p) => p.getByRole('link', { name: /^Portrait · / }) },
		{ name: 'grid', hash: '#/grids/grid-a11y', ready: (p) => p.getByRole('table', { name: /CFG/ }) },
		{ name: 'settings', hash: '#/settings', ready: (p) => p.getByRole('button', { name: 'Add server' }) },
		{ name: 'models', hash: '#/models', ready: (p) => p.getByRole('heading', { name: /checkpoints/i }) },
		{ name: 'logs', hash: '#/logs', ready: h1('Logs') },
		{ name: 'share link', hash: new URL(share).hash, ready: h1('Shared template') }
	];

	const found: string[] = [];
	for (const scheme of ['light', 'dark'] as const)
		for (const width of [1280, 360]) {
			await page.emulateMedia({ colorScheme: scheme });
			await page.setViewportSize({ width, height: width > 500 ? 800 : 740 });
			for (const view of views) {
				await test.step(`${view.name} at ${width} px, ${scheme}`, async () => {
					await page.goto(`${base}${view.hash}`);
					await expect(view.ready(page)).toBeVisible({ timeout: 15_000 });
					await view.open?.(page);
					found.push(...(await axeViolations(page, `${view.name} at ${width} px, ${scheme}`)));
				});
			}
		}
	expect(found, `axe violations:\n${found.join('\n')}`).toEqual([]);
});
