import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { storedGridJobs } from './grid-helpers';
import { storedQueueEntries } from './queue-helpers';

// The grid builder and the app's own browser queue against two simulators: a 40-cell SD 1.5 grid queued on the form
// for any free server, spread over both. One of them runs in a process of its own and is killed mid-way (SIGKILL, as
// a crashed ComfyUI: its queue, history and running prompt are gone), then started again on the same port. Every
// cell must end with its image kept in IndexedDB, shown in the grid view, and no cell may run to completion twice
// (each simulator logs every prompt it starts and how it ends; the killed one to a file, across its two lives).
// The core-level twin is tests/core/grid-two-servers.test.ts.
const base = `http://127.0.0.1:${PORTS.staticRoot}/`;
const cfgs = ['5', '6', '7', '8', '9'];
// Simulated durations at 1/100: a cell takes ~0.3-0.7 s of the simulators' CPU. The attic, the one killed, runs at
// 1/50: its cells take twice as long, so the kill lands while one runs even when a loaded machine delays the test
// between seeing the start and killing (at 1/100 the cell had ended first in 1 run of 20 at load 5).
const TIME_SCALE = 0.01;
const ATTIC_TIME_SCALE = 0.02;

async function addServer(page: Page, sim: Pick<RunningSimulator, 'url'>, name: string) {
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

/** A port free now (the killed simulator comes back on the same one, as a restarted ComfyUI would). */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
		});
	});
}

/** The simulator in a process of its own, logging its runs to `runLog`; resolves once it listens. */
function spawnSimulator(port: number, runLog: string, outputDir: string): Promise<ChildProcess> {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'tests/simulator/cli.ts', '--port', String(port), '--cors', '*'].concat([
			'--time-scale',
			String(ATTIC_TIME_SCALE),
			'--quiet',
			'--run-log',
			runLog,
			'--output-dir',
			outputDir
		]),
		{ stdio: ['ignore', 'pipe', 'inherit'] }
	);
	children.push(child);
	return new Promise((resolve, reject) => {
		child.stdout!.on('data', (chunk: Buffer) => {
			if (chunk.toString().includes('listening on')) resolve(child);
		});
		child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before it listened`)));
	});
}

/** Every prompt the killed simulator started, in order, with how it ended: `cut` if it never did. */
function loggedRuns(runLog: string): { promptId: string; outcome: string }[] {
	let text: string;
	try {
		text = readFileSync(runLog, 'utf8');
	} catch {
		return [];
	}
	const runs = new Map<string, string>();
	for (const line of text.split('\n')) {
		if (!line) continue;
		const run = JSON.parse(line) as { promptId: string; outcome: string };
		runs.set(run.promptId, run.outcome);
	}
	return [...runs].map(([promptId, outcome]) => ({ promptId, outcome }));
}

const sims: RunningSimulator[] = [];
const children: ChildProcess[] = [];
let tmp: string | undefined;
test.afterAll(async () => {
	for (const sim of sims.splice(0)) await sim.close();
	for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
	if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('a 40-cell grid over two servers, one killed mid-way and started again: 40 images kept, none run twice', async ({
	page
}) => {
	test.setTimeout(180_000);
	tmp = await mkdtemp(join(tmpdir(), 'grid-two-servers-'));
	const runLog = join(tmp, 'attic-runs.jsonl');
	// Its output/ on disk, as ComfyUI's: a cell that ended just before the kill is still served after the restart.
	const outputDir = join(tmp, 'attic-output');
	const atticPort = await freePort();
	const [studio] = await Promise.all([
		startSimulator({ quiet: true, cors: '*', timeScale: TIME_SCALE }),
		spawnSimulator(atticPort, runLog, outputDir)
	]);
	sims.push(studio);
	await addServer(page, studio, 'Studio box');
	await addServer(page, { url: `http://127.0.0.1:${atticPort}` }, 'Attic');

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

	// The attic is killed right as one of its cells starts (a run cut midway is the case under test), once one of
	// its cells is done: the cell before it has just ended on the socket, often not yet confirmed over REST (its
	// file is on the attic's disk). It stays dead until the studio has started three more cells (with two slots per
	// server, at least one of them left the browser after the kill: failover), then starts again, empty but for
	// its output folder.
	const successes = (runs: { outcome: string }[]) => runs.filter((r) => r.outcome === 'success');
	let seen = 0;
	await until(() => {
		const runs = loggedRuns(runLog);
		const justStarted = runs.length > seen && runs.at(-1)?.outcome === 'running';
		seen = runs.length;
		return justStarted && successes(runs).length >= 1;
	}, 'the attic to start a cell');
	children[0]!.kill('SIGKILL');
	const killedAt = Date.now();
	const studioBefore = studio.controls.runs().length;
	await until(() => studio.controls.runs().length >= studioBefore + 3, 'the studio to take over');
	const restartedAt = Date.now();
	await spawnSimulator(atticPort, runLog, outputDir);

	const status = page.getByRole('status');
	await expect(status).toHaveText(/^(Complete|Ended)/, { timeout: 90_000 });
	const unsettled = (await storedGridJobs(page, gridId)).filter((j) => j.status !== 'succeeded');
	expect(await status.textContent(), JSON.stringify(unsettled)).toBe('Complete: 40 of 40 done');
	await expect(table.getByRole('img')).toHaveCount(40);

	// Every cell ran to completion exactly once, counting every prompt id it ever had on both servers.
	const jobs = await storedGridJobs(page, gridId);
	const atticRuns = loggedRuns(runLog);
	const runs = [...studio.controls.runs(), ...atticRuns];
	const keys = new Set(jobs.map((j) => j.key));
	expect(keys.size).toBe(40);
	for (const key of keys) {
		const ids = new Set(jobs.filter((j) => j.key === key).map((j) => j.id));
		const completed = runs.filter((r) => ids.has(r.promptId) && r.outcome === 'success');
		expect(completed, key).toHaveLength(1);
	}
	expect(runs.filter((r) => r.outcome === 'success')).toHaveLength(40);
	expect(jobs.filter((j) => j.status === 'succeeded' && j.kept)).toHaveLength(40);
	// The kill did cut a run, and both servers took part.
	expect(atticRuns.filter((r) => r.outcome === 'running').length).toBeGreaterThan(0);
	expect(new Set(jobs.filter((j) => j.status === 'succeeded').map((j) => j.serverId)).size).toBe(2);

	// Reconciliation, from the browser queue's own record of each cell: what the attic had when it died went out
	// again only after it was back and said it did not know it (never while it was unreachable), and only that.
	const entries = (await storedQueueEntries(page)).filter(
		(e) => (e['group'] as { id: string } | undefined)?.id === gridId
	);
	expect(entries).toHaveLength(40);
	const atticIds = new Set(atticRuns.map((r) => r.promptId));
	const studioIds = new Set(studio.controls.runs().map((r) => r.promptId));
	const resent = entries.filter((e) => (e['attempts'] as unknown[]).length > 0);
	expect(resent.length).toBeGreaterThan(0);
	// The attic as the app names it (a prompt it queued but never started is in no run log).
	const atticServerId = jobs.find((j) => atticIds.has(j.id))?.serverId;
	expect(atticServerId).toBeDefined();
	for (const entry of resent) {
		const attempts = entry['attempts'] as { serverId: string; reason: string }[];
		for (const attempt of attempts) {
			expect(attempt.serverId).toBe(atticServerId);
			expect(attempt.reason).toMatch(/^Attic lost it/);
		}
		expect(entry['releasedAt'] as number).toBeGreaterThanOrEqual(restartedAt);
	}
	// Every prompt the attic started before the kill and did not finish belongs to a cell that went out again.
	const resentIds = new Set(
		resent.flatMap((e) => (e['attempts'] as { promptId: string }[]).map((a) => a.promptId))
	);
	for (const run of atticRuns.filter((r) => r.outcome === 'running'))
		expect(resentIds.has(run.promptId)).toBe(true);
	// Failover: while the attic was dead, cells waiting in the browser went to the studio.
	const failedOver = entries.filter((e) => {
		const at = e['releasedAt'] as number;
		return studioIds.has(String(e['promptId'])) && at > killedAt && at < restartedAt;
	});
	expect(failedOver.length).toBeGreaterThan(0);

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
