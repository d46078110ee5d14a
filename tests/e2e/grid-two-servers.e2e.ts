import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { seedQueuedGrid, storedGridJobs } from './grid-helpers';

// The app's own browser queue against two simulators (started here, so one can be restarted mid-grid): a 40-cell
// grid spread over both, one server going down mid-way and coming back. Every cell must end with its image kept in
// IndexedDB, shown in the grid view, and no cell may run to completion twice (the simulators log every prompt they
// start, across the restart). The core-level twin is tests/core/grid-two-servers.test.ts.
const base = `http://127.0.0.1:${PORTS.staticRoot}/`;
const GRID = 'grid-two-servers';
const seeds = ['1', '2', '3', '4', '5', '6', '7', '8'];
const widths = ['32', '40', '48', '56', '64'];

function slowImage(seed: number, width: number) {
	return {
		'10': {
			class_type: 'TestSlowImage',
			inputs: {
				width,
				height: 24,
				steps: 5,
				seconds_per_step: 0.2,
				seed,
				preview_format: 'JPEG',
				send_previews: false
			}
		},
		'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'grid/cell' } }
	};
}

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
	test.setTimeout(120_000);
	const studio = await startSimulator({ quiet: true, cors: '*', timeScale: 0.05 });
	const attic = await startSimulator({ quiet: true, cors: '*', timeScale: 0.05 });
	sims.push(studio, attic);
	await addServer(page, studio, 'Studio box');
	await addServer(page, attic, 'Attic');

	// Seeded from a page where the app is not running, then the app opens on the grid and its queue sends it out.
	await page.goto(`${base}favicon.svg`);
	await seedQueuedGrid(page, {
		id: GRID,
		x: { parameterId: 'seed', title: 'Seed', values: seeds },
		y: { parameterId: 'width', title: 'Width', values: widths },
		workflow: (x, y) => slowImage(Number(seeds[x]), Number(widths[y]))
	});
	await page.goto(`${base}#/grids/${GRID}`);
	const table = page.getByRole('table', { name: 'Seed × Width' });
	await expect(table.getByRole('rowheader')).toHaveText(widths);

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

	await expect(page.getByRole('status')).toHaveText('Complete: 40 of 40 done', { timeout: 60_000 });
	await expect(table.getByRole('img')).toHaveCount(40);
	await expect(table.getByRole('img', { name: 'Seed 8 · Width 64' })).toBeVisible();

	// Every cell ran to completion exactly once, counting every prompt id it ever had on both servers.
	const jobs = await storedGridJobs(page, GRID);
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
	expect(Object.keys(zip)).toContain('Seed 8 · Width 64.png');
	const pngDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export PNG' }).click();
	await pngDownload;
	await expect(page.getByText(/^Saved grid-Slow image-.*\.png: 40 of 40 cells\.$/)).toBeVisible();
});
