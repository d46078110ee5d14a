/**
 * The protocol core, bundled for the browser, completes jobs in Chromium against the simulator: no Node-only
 * globals, a job whose messages beat the POST answer is not missed, and a cut socket does not lose the job.
 *
 * Self-contained: the spec bundles tests/core/browser-entry.ts with Vite into a temp folder and starts the
 * simulator with that folder as its --front-end-root, so the page and ComfyUI share one origin (no CORS).
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { RunJobOptions, RunJobReport } from '../core/browser-entry';
import type { ComebackReport } from '../core/socket-comeback';
import { startSimulator, type RunningSimulator } from '../simulator/index';

let sim: RunningSimulator;
let root: string;
let bundle: string;

const WORKFLOW = {
	'10': {
		class_type: 'TestSlowImage',
		inputs: {
			width: 64,
			height: 48,
			steps: 8,
			seconds_per_step: 0.2,
			seed: 7,
			preview_format: 'JPEG',
			send_previews: true
		}
	},
	'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'e2e/core' } }
};

test.beforeAll(async () => {
	root = await mkdtemp(join(tmpdir(), 'comfy-core-e2e-'));
	await build({
		configFile: false,
		logLevel: 'warn',
		build: {
			outDir: root,
			emptyOutDir: false,
			minify: false,
			lib: {
				entry: join(process.cwd(), 'tests/core/browser-entry.ts'),
				formats: ['iife'],
				name: 'ComfyCoreTest',
				fileName: () => 'core.js'
			}
		}
	});
	bundle = await readFile(join(root, 'core.js'), 'utf8');
	await writeFile(
		join(root, 'index.html'),
		'<!doctype html><meta charset="utf-8"><title>core</title><script src="core.js"></script>'
	);
	sim = await startSimulator({
		port: 0,
		frontEndRoot: root,
		testMode: true,
		quiet: true,
		timeScale: 0.1,
		cors: null
	});
});

test.afterAll(async () => {
	await sim?.close();
	if (root) await rm(root, { recursive: true, force: true });
});

async function runJob(page: import('@playwright/test').Page, options: RunJobOptions): Promise<RunJobReport> {
	return page.evaluate(
		(o) => (window as unknown as { runJob(o: RunJobOptions): Promise<RunJobReport> }).runJob(o),
		options
	);
}

test('the browser bundle uses no Node-only globals', () => {
	expect(bundle).not.toMatch(/\bBuffer\.(from|alloc|concat)\b/);
	expect(bundle).not.toMatch(/\brequire\(["']node:/);
});

test('completes a job in Chromium, same origin as the simulator', async ({ page }) => {
	await page.goto(`${sim.url}/`);
	const report = await runJob(page, { workflow: WORKFLOW });
	expect(report.error).toBeUndefined();
	expect(report.nodeOnlyGlobals).toEqual([]);
	expect(report.result?.images).toHaveLength(1);
	expect(report.result?.images[0]?.size).toEqual({ width: 64, height: 48 });
	expect(report.previews).toBeGreaterThan(0);
	expect(report.statuses.at(-1)).toBe('succeeded');
});

test('does not miss a job whose messages arrive before the POST answer', async ({ page }) => {
	await page.goto(`${sim.url}/`);
	const report = await runJob(page, {
		workflow: { ...WORKFLOW, '10': { ...WORKFLOW['10'], inputs: { ...WORKFLOW['10'].inputs, seed: 8 } } },
		delayPromptAnswerMs: 3000
	});
	expect(report.error).toBeUndefined();
	expect(report.statusesBeforeAnswer).toContain('running');
	expect(report.result?.images).toHaveLength(1);
});

test('diagnoses servers from a page on another origin: CORS on, the 403 Origin check, and nothing listening', async ({
	page
}) => {
	const open = await startSimulator({ port: 0, quiet: true, cors: '*' });
	const guarded = await startSimulator({ port: 0, quiet: true, cors: null });
	const closed = await startSimulator({ port: 0, quiet: true });
	const deadUrl = closed.url;
	await closed.close();
	try {
		await page.goto(`${sim.url}/`);
		const probe = (url: string) =>
			page.evaluate(
				(u) =>
					(window as unknown as { probe(u: string): Promise<Record<string, string | boolean>> }).probe(u),
				url
			);
		expect(await probe(open.url)).toMatchObject({ ok: true, version: expect.any(String) });
		// The page is on 127.0.0.1:<sim port>; ask for the guarded one by name so the Origin host differs.
		const guardedByName = guarded.url.replace('127.0.0.1', 'localhost');
		const refused = await probe(guardedByName);
		expect(refused).toMatchObject({ ok: false, diagnosis: 'origin-check' });
		expect(refused.hint).toContain(`--enable-cors-header ${sim.url}`);
		expect(await probe(deadUrl)).toMatchObject({ ok: false, diagnosis: 'unreachable' });
	} finally {
		await open.close();
		await guarded.close();
	}
});

test('finishes a job when the socket is cut mid-run', async ({ page }) => {
	await page.goto(`${sim.url}/`);
	const report = await runJob(page, {
		workflow: { ...WORKFLOW, '10': { ...WORKFLOW['10'], inputs: { ...WORKFLOW['10'].inputs, seed: 9 } } },
		dropSocketAfterFrames: 6
	});
	expect(report.error).toBeUndefined();
	expect(report.socketStates).toContain('reconnecting');
	expect(report.result?.images).toHaveLength(1);
});

test('opens a socket again after refused upgrades, and progress flows over it', async ({ page }) => {
	await page.goto(`${sim.url}/`);
	const report = await page.evaluate(
		(n) => (window as unknown as { comeback(n: number): Promise<ComebackReport> }).comeback(n),
		2
	);
	const seen = JSON.stringify(report);
	expect(report.refused, seen).toBeGreaterThanOrEqual(2);
	// Default backoff: after two refusals the next try comes within 2 s.
	expect(report.reopenMs, seen).not.toBeNull();
	expect(report.reopenMs, seen).toBeLessThan(4_000);
	expect(report.finalState, seen).toBe('open');
	expect(report.jobStatus, seen).toBe('succeeded');
	expect(report.stepProgress, seen).toBeGreaterThan(0);
	expect(report.previews, seen).toBeGreaterThan(0);
});
