import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { storedGridJobs } from './grid-helpers';

// The grid builder and the app's own browser queue against two simulators (started here, so one can be restarted
// mid-grid): a 40-cell SD 1.5 grid queued on the form for any free server, spread over both, one server going down
// mid-way and coming back. Every cell must end with its image kept in IndexedDB, shown in the grid view, and no cell
// may run to completion twice (the simulators log every prompt they start, across the restart). The core-level twin
// is tests/core/grid-two-servers.test.ts.
const base = `http://127.0.0.1:${PORTS.staticRoot}/`;
const cfgs = ['5', '6', '7', '8', '9'];

async function addServer(page: Page, sim: RunningSimulator, name: string) {
	await page.goto(`${base}#/settings`);
	await page.getByLabel('Server address').fill(sim.url);
	await page.getByLabel(/^Name/).fill(name);
	await page.getByRole('button', { name: 'Add server' }).click();
	const row = page
		.getByRole('region', { name: 'ComfyUI servers' })
		.getByRole('listitem')
		.filter({ hasText: name });
	await expect(row.getByText(/Online · ComfyUI/)).toBeVisible();
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000) {
	const start = Date.now();
	while (!condition()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

const sims: RunningSimulator[] = [];
test.afterAll(async () => {
	for (const sim of sims.splice(0)) await sim.close();
});

test('a 40-cell grid over two servers, one restarted mid-way: 40 images kept, none run twice', async ({
	page
}) => {
	test.setTimeout(180_000);
	const studio = await startSimulator({ quiet: true, cors: '*', timeScale: 0.05 });
	const attic = await startSimulator({ quiet: true, cors: '*', timeScale: 0.05 });
	sims.push(studio, attic);
	await addServer(page, studio, 'Studio box');
	await addServer(page, attic, 'Attic');

	// Built on the form like a user does: Seed 1 to 8 across, CFG 5 to 9 down, on any free server.
	await page.goto(`${base}#/generate/sd15-txt2img`);
	await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: 15_000 });
	// Small and few steps: 40 SD 1.5 runs of 512 px with 20 steps take minutes of the simulator's CPU.
	await page.getByLabel('Width', { exact: true }).fill('128');
	await page.getByLabel('Height', { exact: true }).fill('128');
	await page.getByLabel('Steps', { exact: true }).fill('4');
	await page.getByText('Batch and grid').click();
	const builder = page.getByRole('group', { name: 'Batch and grid' });
	const x = page.getByRole('group', { name: 'X axis (columns)' });
	await x.getByLabel('Parameter').selectOption({ label: 'Seed' });
	await x.getByLabel('From', { exact: true }).fill('1');
	await x.getByLabel('To', { exact: true }).fill('8');
	await x.getByLabel('Step', { exact: true }).fill('1');
	const y = page.getByRole('group', { name: 'Y axis (rows)' });
	await y.getByLabel('Parameter').selectOption({ label: 'CFG' });
	await y.getByLabel('From', { exact: true }).fill('5');
	await y.getByLabel('To', { exact: true }).fill('9');
	await y.getByLabel('Step', { exact: true }).fill('1');
	await builder.getByLabel('Run on').selectOption({ label: 'Any free server' });
	await expect(builder.getByRole('status')).toHaveText('40 runs: 8 Seed × 5 CFG');
	await page.getByRole('button', { name: 'Queue 40 runs' }).click();
	await builder.getByRole('link', { name: 'Open the grid' }).click();
	const table = page.getByRole('table', { name: 'Seed × CFG' });
	await expect(table.getByRole('rowheader')).toHaveText(cfgs);
	const gridId = decodeURIComponent(page.url().split('#/grids/')[1] ?? '');

	// The attic goes down right as one of its cells starts (a run cut midway is the case under test), once a few
	// of its cells are done; it refuses connections for 16 simulated seconds (0.8 s here), then is back empty.
	const successes = (sim: RunningSimulator) => sim.controls.runs().filter((r) => r.outcome === 'success');
	let seen = attic.controls.runs().length;
	await until(() => {
		const runs = attic.controls.runs();
		const justStarted = runs.length > seen && runs.at(-1)?.outcome === 'running';
		seen = runs.length;
		return justStarted && successes(attic).length >= 3;
	}, 'the attic to start a cell');
	await attic.controls.restart({ downMs: 16_000 });

	await expect(page.getByRole('status')).toHaveText('Complete: 40 of 40 done', { timeout: 90_000 });
	await expect(table.getByRole('img')).toHaveCount(40);

	// Every cell ran to completion exactly once, counting every prompt id it ever had on both servers.
	const jobs = await storedGridJobs(page, gridId);
	const runs = [...studio.controls.runs(), ...attic.controls.runs()];
	const keys = new Set(jobs.map((j) => j.key));
	expect(keys.size).toBe(40);
	for (const key of keys) {
		const ids = new Set(jobs.filter((j) => j.key === key).map((j) => j.id));
		const completed = runs.filter((r) => ids.has(r.promptId) && r.outcome === 'success');
		expect(completed, key).toHaveLength(1);
	}
	expect(runs.filter((r) => r.outcome === 'success')).toHaveLength(40);
	expect(jobs.filter((j) => j.status === 'succeeded' && j.kept)).toHaveLength(40);
	// The restart did cut work, and those cells went out again.
	expect(runs.filter((r) => r.outcome === 'cut').length).toBeGreaterThan(0);
	expect(jobs.length).toBeGreaterThan(40);
	// Both servers took part.
	expect(new Set(jobs.filter((j) => j.status === 'succeeded').map((j) => j.serverId)).size).toBe(2);

	// Nothing of it needs the servers any more: reloaded, the grid is whole from IndexedDB, and exports whole.
	await page.reload();
	await expect(table.getByRole('img')).toHaveCount(40);
	const zipDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download originals (zip)' }).click();
	const zip = unzipSync(await readFile((await (await zipDownload).path())!));
	const pngs = Object.entries(zip).filter(([name]) => name.endsWith('.png'));
	expect(pngs).toHaveLength(40);
	expect(pngs.every(([, bytes]) => bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)).toBe(true);
	const pngDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export PNG' }).click();
	await pngDownload;
	await expect(page.getByText(/^Saved grid-SD 1.5 text to image-.*\.png: 40 of 40 cells\.$/)).toBeVisible();
});
