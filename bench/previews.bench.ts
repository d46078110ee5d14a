// A live preview stream of 20 frames/s for 30 s into the generate page, in Chromium against the simulator:
// does the page keep up (previews shown per second), does it stay responsive (no long task over 50 ms), and
// does its memory come back once the stream ends (heap and live object URLs back to the baseline)?
import type { CDPSession, Page } from '@playwright/test';
import { loadavg } from 'node:os';
import { pageScript, startSimulatorApp } from './simulator-app';

export const name = 'preview stream';

const FPS = 20;
const SECONDS = 30;
/** Previews before the measured window: the simulator encodes its few cycled frames on first use. */
const WARMUP = 10;
const MB = 1024 * 1024;

/** Runs in the page before the app: counts long tasks, object URLs and the previews the app shows. */
function instrument() {
	const probe = {
		longTasks: [] as { start: number; duration: number }[],
		liveUrls: new Set<string>(),
		createdUrls: 0,
		peakLiveUrls: 0,
		/** When each new preview src was set, and when each preview finished decoding. */
		shown: [] as number[],
		decoded: [] as number[]
	};
	(window as unknown as { __probe: typeof probe }).__probe = probe;
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// No longtask support: the figures say 0 tasks observed, and the report names the browser.
	}
	const create = URL.createObjectURL.bind(URL);
	const revoke = URL.revokeObjectURL.bind(URL);
	URL.createObjectURL = (object: Blob | MediaSource) => {
		const url = create(object);
		probe.createdUrls++;
		probe.liveUrls.add(url);
		probe.peakLiveUrls = Math.max(probe.peakLiveUrls, probe.liveUrls.size);
		return url;
	};
	URL.revokeObjectURL = (url: string) => {
		probe.liveUrls.delete(url);
		revoke(url);
	};
	const isPreview = (node: unknown): node is HTMLImageElement =>
		node instanceof HTMLImageElement && node.alt === 'Live preview of the running generation';
	let lastSrc = '';
	const seen = (img: HTMLImageElement) => {
		if (img.src && img.src !== lastSrc) {
			lastSrc = img.src;
			probe.shown.push(performance.now());
		}
	};
	const start = () => {
		new MutationObserver((records) => {
			for (const r of records) {
				if (r.type === 'attributes' && isPreview(r.target)) seen(r.target);
				for (const node of r.addedNodes) {
					if (isPreview(node)) seen(node);
					if (node instanceof Element) node.querySelectorAll('img').forEach((i) => isPreview(i) && seen(i));
				}
			}
		}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
		document.addEventListener(
			'load',
			(e) => isPreview(e.target) && probe.decoded.push(performance.now()),
			true
		);
	};
	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
	else start();
}

type Probe = {
	longTasks: { start: number; duration: number }[];
	liveUrls: number;
	createdUrls: number;
	peakLiveUrls: number;
	shown: number[];
	decoded: number[];
	now: number;
};

const readProbe = (page: Page): Promise<Probe> =>
	page.evaluate(() => {
		const p = (window as unknown as { __probe: Probe & { liveUrls: Set<string> } }).__probe;
		return { ...p, liveUrls: p.liveUrls.size, now: performance.now() };
	});

/** The renderer's main-thread totals (seconds) from CDP Performance.getMetrics. */
async function mainThread(cdp: CDPSession): Promise<Record<string, number>> {
	const { metrics } = await cdp.send('Performance.getMetrics');
	return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

interface TraceEvent {
	ph: string;
	name: string;
	pid: number;
	tid: number;
	dur?: number;
	tdur?: number;
	args?: { name?: string };
}

/**
 * The renderer main thread's tasks over 50 ms in a Chromium trace, with their wall and CPU time (ms). A task
 * long in wall time but not in CPU time was the page waiting for a core (a busy machine), not the page's work.
 */
function longMainTasks(trace: Buffer): { wallMs: number; cpuMs: number }[] {
	const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
	const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
	const main = new Set(
		events
			.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
			.map((e) => `${e.pid}:${e.tid}`)
	);
	return events
		.filter(
			(e) =>
				e.ph === 'X' &&
				e.name === 'ThreadControllerImpl::RunTask' &&
				main.has(`${e.pid}:${e.tid}`) &&
				(e.dur ?? 0) > 50_000
		)
		.map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

async function heapMb(cdp: CDPSession, options: { gc: boolean }): Promise<number> {
	// Twice: a first collection can leave garbage that finalizers free for the second.
	if (options.gc) for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
	const usage = await cdp.send('Runtime.getHeapUsage');
	return usage.usedSize / MB;
}

export async function run() {
	const app = await startSimulatorApp({ timeScale: 0.05 });
	try {
		const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
		await context.addInitScript({ content: pageScript(instrument) });
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await cdp.send('HeapProfiler.enable');
		await cdp.send('Performance.enable');
		const steps = WARMUP + FPS * SECONDS;
		await page.goto(`${app.base}#/generate/sd15-txt2img?steps=${steps}`);
		const generate = page.getByRole('button', { name: 'Generate' });
		await generate.waitFor();
		await page.waitForFunction(() => {
			const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === 'Generate');
			return b && !b.disabled;
		});
		await page.waitForTimeout(2000); // model lists, socket, IndexedDB settle
		const baseline = await heapMb(cdp, { gc: true });
		const before = await readProbe(page);

		const load = loadavg()[0] ?? NaN;
		app.sim.controls.previewStream({ fps: FPS });
		const busyBefore = await mainThread(cdp);
		await app.browser.startTracing(page, { categories: ['toplevel'] });
		await generate.click();
		const clicked = (await readProbe(page)).now;

		// Sample the heap (no forced GC: that would be our own pause) every 2 s while the stream runs.
		const status = page.getByRole('region', { name: 'Generation' }).getByRole('status');
		const during: number[] = [];
		const deadline = Date.now() + (SECONDS + 90) * 1000;
		while ((await status.textContent()) !== 'Done') {
			if (Date.now() > deadline) throw new Error('the 30 s preview run did not finish in time');
			during.push(await heapMb(cdp, { gc: false }));
			await page.waitForTimeout(2000);
		}
		const ended = await readProbe(page);
		const traced = longMainTasks(await app.browser.stopTracing());
		const busyAfter = await mainThread(cdp);
		const busyMs = (key: string) =>
			(((busyAfter[key] ?? 0) - (busyBefore[key] ?? 0)) * 1000) / (ended.shown.length || 1);
		const atEnd = await heapMb(cdp, { gc: true });
		await page.getByRole('list', { name: 'Results' }).getByRole('img').first().waitFor();
		await page.waitForTimeout(5000);
		const after = await heapMb(cdp, { gc: true });
		const settled = await readProbe(page);
		await context.close();

		// The measured window: from the WARMUP-th preview shown to the last one.
		const shown = ended.shown.filter((t) => t > clicked);
		const from = shown[WARMUP - 1] ?? NaN;
		const to = shown.at(-1) ?? NaN;
		const inWindow = shown.filter((t) => t > from && t <= to).length;
		const decoded = ended.decoded.filter((t) => t > from && t <= to).length;
		const tasks = ended.longTasks.filter((t) => t.start >= clicked);
		const longest = Math.max(0, ...tasks.map((t) => t.duration));
		console.log(
			`\n  previews shown ${shown.length} (decoded ${ended.decoded.length}), window ${((to - from) / 1000).toFixed(1)} s; ` +
				`long tasks ${tasks.map((t) => `${t.duration.toFixed(0)} ms at ${((t.start - (shown[0] ?? 0)) / 1000).toFixed(1)} s`).join(', ') || 'none'}; ` +
				`traced tasks over 50 ms (wall/CPU ms) ${traced.map((t) => `${t.wallMs.toFixed(0)}/${t.cpuMs.toFixed(0)}`).join(', ') || 'none'}; ` +
				`heap MB baseline ${baseline.toFixed(2)}, during ${during.map((h) => h.toFixed(1)).join(' ')}, ` +
				`end ${atEnd.toFixed(2)}, after ${after.toFixed(2)}; object URLs created ${settled.createdUrls}, ` +
				`live before ${before.liveUrls}, peak ${ended.peakLiveUrls}, after ${settled.liveUrls}`
		);
		return [
			{
				name: `previews shown per second (${FPS}/s sent for ${SECONDS} s)`,
				value: inWindow / ((to - from) / 1000),
				unit: '/s',
				target: FPS * 0.95,
				better: 'higher' as const
			},
			{
				name: 'previews decoded per second',
				value: decoded / ((to - from) / 1000),
				unit: '/s',
				target: FPS * 0.95,
				better: 'higher' as const
			},
			{ name: 'long tasks over 50 ms during the stream', value: tasks.length, unit: 'tasks', target: 0 },
			{ name: 'longest task during the stream', value: longest, unit: 'ms', target: 50 },
			{
				name: "main-thread tasks over 50 ms of CPU time (trace: the page's own work)",
				value: traced.filter((t) => t.cpuMs > 50).length,
				unit: 'tasks',
				target: 0
			},
			{
				name: 'most CPU time in one main-thread task over 50 ms wall (trace)',
				value: Math.max(0, ...traced.map((t) => t.cpuMs)),
				unit: 'ms'
			},
			{ name: 'main thread busy per preview (all tasks)', value: busyMs('TaskDuration'), unit: 'ms' },
			{ name: 'of which script', value: busyMs('ScriptDuration'), unit: 'ms' },
			{
				name: 'of which style + layout',
				value: busyMs('RecalcStyleDuration') + busyMs('LayoutDuration'),
				unit: 'ms'
			},
			{ name: 'load average of this machine at the start (1 min, 2 cores)', value: load, unit: '' },
			{ name: 'JS heap baseline (after GC)', value: baseline, unit: 'MB' },
			{ name: 'JS heap peak during the stream (no GC)', value: Math.max(...during), unit: 'MB' },
			{
				name: 'JS heap growth at the end of the stream (after GC)',
				value: atEnd - baseline,
				unit: 'MB',
				target: 5
			},
			{
				name: 'JS heap growth 5 s after the stream (after GC)',
				value: after - baseline,
				unit: 'MB',
				target: 5
			},
			{ name: 'object URLs live at the peak of the stream', value: ended.peakLiveUrls, unit: 'URLs' },
			{
				name: 'object URLs live after the stream, beyond the baseline',
				value: settled.liveUrls - before.liveUrls,
				unit: 'URLs',
				// The result image keeps its URL(s) while it is shown; previews must all be gone.
				target: 1
			}
		];
	} finally {
		await app.close();
	}
}
