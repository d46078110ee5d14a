// Screenshots of a grid (issue 14) at 1280 and 360 px, light and dark, running and complete, and its exported PNG:
// `npx tsx scripts/screenshots-grid.ts [port]` after `npm run build`. Starts two simulators in-process (one serving
// the build on `port`, default 9171), queues a 4 × 3 CFG × sampler grid of SD 1.5 through the app's browser queue
// and photographs it as it fills in. Needs no server of its own beyond these two; stops them at the end.
import type { Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { seedQueuedGrid } from '../tests/e2e/grid-helpers';
import { startSimulator } from '../tests/simulator/index';
import { forEachLook, launchBrowser, out } from './screenshot-kit';

const port = Number(process.argv[2] ?? 9171);

const app = await startSimulator({ port, quiet: true, timeScale: 0.15, frontEndRoot: 'build' });
const attic = await startSimulator({ quiet: true, cors: '*', timeScale: 0.15 });
const base = `${app.url}/`;
const template = JSON.parse(readFileSync('static/templates/sd15-txt2img.json', 'utf8')) as {
	api: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
};
const cfgs = ['4', '6', '8', '10'];
const samplers = ['euler', 'dpmpp_2m', 'ddim'];

async function shoot(page: Page, slug: string) {
	await forEachLook({
		page,
		each: async ({ name }) => {
			await page.waitForTimeout(150);
			await page.screenshot({ path: name(slug) });
		}
	});
}

const browser = await launchBrowser();
try {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
	const page = await context.newPage();
	await page.goto(`${base}#/settings`);
	await page.getByLabel('Server address').fill(attic.url);
	await page.getByLabel(/^Name/).fill('Attic');
	await page.getByRole('button', { name: 'Add server' }).click();
	await page
		.getByText(/Online · ComfyUI/)
		.nth(1)
		.waitFor();

	await page.goto(`${base}favicon.svg`);
	// tsx compiles the helper's page function with esbuild's name keeping, which calls a `__name` the page lacks.
	await page.evaluate('window.__name = (f) => f');
	await seedQueuedGrid(page, {
		id: 'screenshot-grid',
		x: { parameterId: 'cfg', title: 'CFG', values: cfgs },
		y: { parameterId: 'sampler_name', title: 'Sampler', values: samplers },
		workflow: (x, y) => {
			const api = structuredClone(template.api);
			api['3']!.inputs.cfg = Number(cfgs[x]);
			api['3']!.inputs.sampler_name = samplers[y];
			return api;
		}
	});
	await page.goto(`${base}#/grids/screenshot-grid`);
	await page.getByRole('table').getByRole('img').nth(2).waitFor({ timeout: 60_000 });
	await shoot(page, 'grid-running');
	await page.getByText(/^Complete:/).waitFor({ timeout: 120_000 });
	await shoot(page, 'grid');
	await page.setViewportSize({ width: 1280, height: 800 });
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export PNG' }).click();
	writeFileSync(`${out}/grid-export.png`, readFileSync((await (await download).path())!));
	await page.goto(`${base}#/grids`);
	await page.getByRole('link', { name: /CFG \(4\)/ }).waitFor();
	await shoot(page, 'grids');
	await context.close();
} finally {
	await browser.close();
	await app.close();
	await attic.close();
}
