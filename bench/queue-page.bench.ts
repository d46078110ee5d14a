// The browser queue in the built app, in Chromium against the simulator at its fastest time scale, with the Queue
// view open: 200 items stored as a paused batch, resumed, until every one is done (kept in History with its
// image, as the app does for every run). Figures: items per second against the same prompts POSTed by a plain
// fetch loop from the same page (target ≥ 0.95), the page's main-thread time per item (CDP TaskDuration), and the
// JS heap once all 200 finished (after a forced GC). The queue runs with no token-bucket limit (Settings: 0 sends
// per second) and the default 2 in flight: the bucket is a brake a user sets, not the dispatcher's cost.
import type { CDPSession, Page } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_MAX_IN_FLIGHT } from '../src/lib/comfy/batch/queue';
import { storedQueue, storeQueue } from '../tests/e2e/queue-helpers';
import { pageScript, startSimulatorApp } from './simulator-app';

export const name = 'queue page';

const ITEMS = 200;
const MB = 1024 * 1024;
/** The app's default most in flight per server (Settings), which the bench leaves as it is. */
const MAX_IN_FLIGHT = DEFAULT_MAX_IN_FLIGHT;

/** A cheap prompt; `color` keeps every prompt distinct so the server's output cache never answers for it. */
function prompt(color: number) {
	return {
		'1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
		'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'bench/queue' } }
	};
}

function pausedBatch(offset: number) {
	return storedQueue({
		group: 'bench',
		paused: true,
		items: Array.from({ length: ITEMS }, (_, i) => ({
			id: `bench-${offset + i}`,
			workflow: prompt(offset + i),
			label: `Color ${offset + i}`,
			key: `r${i}`,
			app: { templateName: 'Bench' }
		}))
	});
}

/** Items per second for ITEMS prompts POSTed one after another from the page, until the server's queue is empty. */
async function rawLoop(page: Page, offset: number): Promise<number> {
	const prompts = Array.from({ length: ITEMS }, (_, i) => prompt(offset + i));
	return page.evaluate(async (all) => {
		const started = performance.now();
		for (const p of all) {
			const response = await fetch('api/prompt', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: p, client_id: 'bench-raw' })
			});
			await response.json();
		}
		for (;;) {
			const queue = (await (await fetch('api/queue')).json()) as {
				queue_running: unknown[];
				queue_pending: unknown[];
			};
			if (queue.queue_running.length + queue.queue_pending.length === 0) break;
			await new Promise((r) => setTimeout(r, 5));
		}
		return all.length / ((performance.now() - started) / 1000);
	}, prompts);
}

/**
 * Items per second for ITEMS prompts POSTed from the page at most `inFlight` at a time, the next one as soon as the
 * socket says one ended (`executing` with node null, as ComfyUI sends once the prompt is done): the same
 * concurrency the app's queue keeps per server (Settings: 2 by default). The unlimited loop above hands the server
 * all 200 at once, so it never waits for a client between two prompts; this one measures what any client held to
 * the app's limit could reach, the floor the dispatcher itself is judged against.
 */
async function rawLoopInFlight(page: Page, offset: number, inFlight: number): Promise<number> {
	const prompts = Array.from({ length: ITEMS }, (_, i) => prompt(offset + i));
	return page.evaluate(
		async ({ all, limit }) => {
			const clientId = `bench-raw-${crypto.randomUUID()}`;
			const url = new URL(`ws?clientId=${clientId}`, location.href);
			url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
			const ws = new WebSocket(url);
			await new Promise((resolve, reject) => {
				ws.onopen = resolve;
				ws.onerror = reject;
			});
			const ended = new Map<string, () => void>();
			ws.onmessage = (event) => {
				if (typeof event.data !== 'string') return;
				const message = JSON.parse(event.data) as {
					type: string;
					data?: { node?: string | null; prompt_id?: string };
				};
				const id = message.data?.prompt_id;
				if (message.type === 'executing' && message.data?.node === null && id) ended.get(id)?.();
			};
			const started = performance.now();
			let next = 0;
			// Inline, not a named function: tsx wraps named ones in a helper the page does not have.
			await Promise.all(
				Array.from({ length: limit }, async () => {
					while (next < all.length) {
						const p = all[next++];
						const id = crypto.randomUUID();
						const done = new Promise<void>((resolve) => ended.set(id, resolve));
						const response = await fetch('api/prompt', {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify({ prompt: p, client_id: clientId, prompt_id: id })
						});
						await response.json();
						await done;
					}
				})
			);
			const seconds = (performance.now() - started) / 1000;
			ws.close();
			return all.length / seconds;
		},
		{ all: prompts, limit: inFlight }
	);
}

interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	ts: number;
	dur?: number;
	tdur?: number;
	args?: { name?: string };
}

/**
 * The page's main-thread CPU time in a trace (ms): the thread time of its top-level tasks. Unlike TaskDuration
 * (wall time), it leaves out the time the thread waited for a core, so it moves less with the machine's load.
 */
function mainThreadCpuMs(events: object[]): number {
	const all = events as TraceEvent[];
	const counts = new Map<string, number>();
	for (const e of all)
		if (e.name === 'RunTask') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
	// The renderer's main thread with the most tasks: the app's page (an about:blank renderer has its own).
	const main = all
		.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
		.map((e) => `${e.pid}:${e.tid}`)
		.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
	let end = -Infinity;
	let cpu = 0;
	const tasks = all
		.filter((e) => e.name === 'RunTask' && e.ph === 'X' && `${e.pid}:${e.tid}` === main)
		.sort((a, b) => a.ts - b.ts);
	for (const task of tasks) {
		// A task nested in another (a nested run loop) is already counted in it.
		if (task.ts < end) continue;
		end = task.ts + (task.dur ?? 0);
		cpu += task.tdur ?? task.dur ?? 0;
	}
	return cpu / 1000;
}

async function metric(cdp: CDPSession, key: string): Promise<number> {
	const { metrics } = await cdp.send('Performance.getMetrics');
	return metrics.find((m) => m.name === key)?.value ?? NaN;
}

async function heapMb(cdp: CDPSession): Promise<number> {
	for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
	return (await cdp.send('Runtime.getHeapUsage')).usedSize / MB;
}

export async function run() {
	const app = await startSimulatorApp({ timeScale: 0 });
	try {
		const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
		// Counts of IndexedDB transactions (by store and mode) and requests (by path) while the 200 run, for the
		// breakdown `BENCH_PROFILE=<file>` prints (with a CPU profile written to <file>).
		await context.addInitScript({
			content: pageScript(() => {
				const counts: Record<string, number> = {};
				(globalThis as unknown as { __idbCounts: Record<string, number> }).__idbCounts = counts;
				const original = IDBDatabase.prototype.transaction;
				IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: unknown[]) {
					const stores = args[0];
					const key = `${[stores].flat().join('+')} ${String(args[1] ?? 'readonly')}`;
					counts[key] = (counts[key] ?? 0) + 1;
					return (original as (...a: unknown[]) => IDBTransaction).apply(this, args);
				} as typeof original;
			})
		});
		const page = await context.newPage();
		const requests = new Map<string, number>();
		let counting = false;
		page.on('request', (r) => {
			if (!counting) return;
			const key = `${r.method()} ${new URL(r.url()).pathname}`;
			requests.set(key, (requests.get(key) ?? 0) + 1);
		});
		let socketMessages = 0;
		page.on('websocket', (ws) => ws.on('framereceived', () => void (counting && socketMessages++)));
		const profile = process.env.BENCH_PROFILE;
		const trace = process.env.BENCH_TRACE;
		let traceEvents: object[] = [];
		// No pace on sending: 0 sends per second is "as fast as servers take them".
		await page.goto(`${app.base}#/settings`);
		const rate = page.getByRole('spinbutton', { name: 'Sends per second' });
		// The setting is written in the background: read it back after a reload until it is there.
		for (let tries = 0; ; tries++) {
			await rate.fill('0');
			await rate.press('Tab');
			await page.waitForTimeout(300);
			await page.reload();
			await rate.waitFor();
			if ((await rate.inputValue()) === '0') break;
			if (tries === 5) throw new Error('the rate setting was not saved');
		}

		await page.goto(`${app.base}#/queue`);
		await page.getByRole('heading', { name: 'In this browser' }).waitFor();
		const raw = await rawLoop(page, 1_000_000);
		const rawInFlight = await rawLoopInFlight(page, 2_000_000, MAX_IN_FLIGHT);
		await storeQueue({ page, base: app.base, snapshot: pausedBatch(0) });
		await page.goto(`${app.base}#/queue`);
		await page.getByRole('button', { name: 'Resume all' }).waitFor({ timeout: 30_000 });
		const cdp = await context.newCDPSession(page);
		await cdp.send('Performance.enable');
		await cdp.send('HeapProfiler.enable');
		const heapBefore = await heapMb(cdp);
		const taskBefore = await metric(cdp, 'TaskDuration');
		if (profile) {
			await cdp.send('Profiler.enable');
			await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
			await cdp.send('Profiler.start');
		}
		// A trace alone (no BENCH_PROFILE): the sampling profiler's own cost (~30 ms per item) stays out of it.
		if (trace) {
			traceEvents = [];
			cdp.on('Tracing.dataCollected', (e) => traceEvents.push(...(e.value as object[])));
			await cdp.send('Tracing.start', {
				categories:
					process.env.BENCH_TRACE_CATEGORIES ?? 'devtools.timeline,disabled-by-default-devtools.timeline',
				transferMode: 'ReportEvents'
			});
		}
		await page.evaluate(() => {
			const counts = (globalThis as unknown as { __idbCounts: Record<string, number> }).__idbCounts;
			for (const k of Object.keys(counts)) delete counts[k];
		});
		counting = true;
		const started = performance.now();
		await page.getByRole('button', { name: 'Resume all' }).click();
		const summary = page.getByRole('region', { name: 'In this browser' }).getByRole('status').first();
		await summary.filter({ hasText: `${ITEMS} done` }).waitFor({ timeout: 300_000 });
		const seconds = (performance.now() - started) / 1000;
		const taskMs = ((await metric(cdp, 'TaskDuration')) - taskBefore) * 1000;
		counting = false;
		if (trace) {
			const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
			await cdp.send('Tracing.end');
			await done;
			await writeFile(trace, JSON.stringify(traceEvents));
			console.log(
				`main-thread CPU per item (trace): ${(mainThreadCpuMs(traceEvents) / ITEMS).toFixed(1)} ms`
			);
		}
		if (profile) {
			const { profile: cpu } = await cdp.send('Profiler.stop');
			await writeFile(profile, JSON.stringify(cpu));
		}
		if (profile || trace) {
			const idb = await page.evaluate(
				() => (globalThis as unknown as { __idbCounts: Record<string, number> }).__idbCounts
			);
			console.log('\nIndexedDB transactions per item:');
			for (const [k, v] of Object.entries(idb)) console.log(`  ${k}: ${(v / ITEMS).toFixed(2)}`);
			console.log(`socket messages: ${socketMessages} (${(socketMessages / ITEMS).toFixed(1)} per item)`);
			console.log('requests per item:');
			for (const [k, v] of requests) console.log(`  ${k}: ${(v / ITEMS).toFixed(2)}`);
		}
		const heapAfter = await heapMb(cdp);
		await context.close();
		const queued = ITEMS / seconds;
		return [
			{ name: 'raw fetch loop (page)', value: raw, unit: 'items/s', better: 'higher' as const },
			{ name: 'browser queue in the app', value: queued, unit: 'items/s', better: 'higher' as const },
			{
				name: 'app queue / raw',
				value: queued / raw,
				unit: '×',
				target: 0.95,
				better: 'higher' as const
			},
			{
				name: `raw loop, ${MAX_IN_FLIGHT} in flight (page)`,
				value: rawInFlight,
				unit: 'items/s',
				better: 'higher' as const
			},
			{
				name: `app queue / raw with ${MAX_IN_FLIGHT} in flight`,
				value: queued / rawInFlight,
				unit: '×',
				target: 0.95,
				better: 'higher' as const
			},
			{ name: 'main-thread time per item', value: taskMs / ITEMS, unit: 'ms' },
			{ name: 'JS heap with the queue view open, before', value: heapBefore, unit: 'MB' },
			{ name: 'JS heap after all 200 finished', value: heapAfter, unit: 'MB' }
		];
	} finally {
		await app.close();
	}
}
