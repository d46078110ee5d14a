// End to end against the floor: the built app and a hand-written fetch+WebSocket client (raw-client.ts) in the
// same Chromium page, same origin (the simulator serving the build, like ComfyUI --front-end-root, at its
// fastest time scale, in a process of its own as ComfyUI is: see startSimulatorProcess). 30 trivial jobs each, interleaved: submit → image shown (app: the Generate click until the
// new result <img> is decoded) against submit → image bytes (raw). Then 50 prompts submitted together by each.
// The app's time is split at the moments the page can see: its POST /prompt answered, its GET /view done, the
// <img> in the DOM, decoded, and the moments between: the POST leaving, `executing` with node null on the app's
// socket, its REST look at the finished job. E2E_SPEED_TRACE=1 prints each app job's timeline.
import type { Page } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { installRawClient, type RawClient, type RawTiming } from './raw-client';
import { pageScript, percentile, startSimulatorProcess } from './simulator-app';

export const name = 'e2e speed';

// E2E_SPEED_JOBS / E2E_SPEED_BATCH shorten a trial run; the figures are for 30 and 50.
const JOBS = Number(process.env.E2E_SPEED_JOBS ?? 30);
const WARMUP = 3;
const BATCH = Number(process.env.E2E_SPEED_BATCH ?? 50);
const TEMPLATE = 'demo-solid-color';

/** The demo template's API prompt with a color of its own, so the server's cache never answers for it. */
function prompt(color: number) {
	return {
		'1': { class_type: 'EmptyImage', inputs: { width: 512, height: 512, batch_size: 1, color } },
		'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
		'3': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyDeck-demo', images: ['2', 0] } }
	};
}

/** One app job, ms from the click. */
type AppTiming = {
	/** The POST /prompt left (its request started). */
	sentMs: number;
	postedMs: number;
	/** `executing` with node null for this run reached the app's socket. */
	executedMs: number;
	/** The app's REST look at the finished job (/api/jobs/{id} or /history/{id}) answered; NaN when it made none before the image showed. */
	checkedMs: number;
	/** The GET /view of the image left. */
	viewSentMs: number;
	viewMs: number;
	insertedMs: number;
	shownMs: number;
	fromCache: boolean;
};

/**
 * Runs in the page before the app: once armed with the color sent, times the Generate click until a result <img>
 * showing that color (inverted, as the template does) is decoded. Checking the pixel, not just "a new <img>", keeps
 * an earlier result shown again from counting as this run's.
 */
function instrument() {
	const w = window as unknown as { __armApp: (color: number) => void; __app?: Promise<AppTiming> };
	const canvas = document.createElement('canvas');
	canvas.width = canvas.height = 1;
	const pen = canvas.getContext('2d', { willReadFrequently: true });
	// The app's socket (not the raw client's, whose client id starts with "raw-"): when each prompt's final
	// `executing` with node null arrived, by prompt id.
	const ended: { at: number; id: string }[] = [];
	const Native = window.WebSocket;
	window.WebSocket = class extends Native {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			if (String(url).includes('clientId=raw-')) return;
			this.addEventListener('message', (event: MessageEvent) => {
				if (typeof event.data !== 'string' || !event.data.includes('"executing"')) return;
				const message = JSON.parse(event.data) as { data?: { node?: unknown; prompt_id?: string } };
				if (message.data?.node === null && message.data.prompt_id)
					ended.push({ at: performance.now(), id: message.data.prompt_id });
			});
		}
	};
	w.__armApp = (color) => {
		const want = [255 - ((color >> 16) & 255), 255 - ((color >> 8) & 255), 255 - (color & 255)];
		let seen = 'no image';
		const isThisRun = (img: HTMLImageElement) => {
			if (!pen || !img.complete || img.naturalWidth === 0) return false;
			pen.drawImage(img, 0, 0, 1, 1);
			const [r, g, b] = pen.getImageData(0, 0, 1, 1).data;
			seen = `${r},${g},${b}`;
			return r === want[0] && g === want[1] && b === want[2];
		};
		w.__app = new Promise<AppTiming>((resolve, reject) => {
			let started = 0;
			let insertedMs = 0;
			const entry = (pattern: RegExp, initiator?: string) =>
				(performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find(
					(e) =>
						e.startTime >= started && pattern.test(e.name) && (!initiator || e.initiatorType === initiator)
				);
			const resource = (pattern: RegExp, initiator?: string) => {
				const hit = entry(pattern, initiator);
				return hit ? hit.responseEnd - started : NaN;
			};
			const check = () => {
				if (!started) return;
				const images = [...document.querySelectorAll<HTMLImageElement>('[aria-label="Results"] img')];
				if (!insertedMs && images.length) insertedMs = performance.now() - started;
				if (!images.some(isThisRun)) return;
				const shownMs = performance.now() - started;
				observer.disconnect();
				document.removeEventListener('load', check, true);
				// E2E_SPEED_TRACE=1 prints it per job: the page's marks, requests and socket ends from the click on.
				(window as unknown as { __trace: string[] }).__trace = performance
					.getEntriesByType('mark')
					.filter((m) => m.startTime >= started)
					.map((m) => `${m.name} ${(m.startTime - started).toFixed(0)}`)
					.concat(
						(performance.getEntriesByType('resource') as PerformanceResourceTiming[])
							.filter((e) => e.startTime >= started)
							.map(
								(e) =>
									`R ${e.name.replace(/^.*\/\/[^/]+/, '').slice(0, 40)} ${(e.startTime - started).toFixed(0)}-${(e.responseEnd - started).toFixed(0)}`
							)
					)
					.concat(ended.filter((e) => e.at >= started).map((e) => `WS-null ${(e.at - started).toFixed(0)}`));
				resolve({
					fromCache: [...document.querySelectorAll('.badge')].some((b) => b.textContent === 'From cache'),
					sentMs: (entry(/\/prompt$/, 'fetch')?.startTime ?? NaN) - started,
					postedMs: resource(/\/prompt$/, 'fetch'),
					executedMs: (ended.find((e) => e.at >= started)?.at ?? NaN) - started,
					checkedMs: resource(/\/(api\/jobs|history)\/[0-9a-f-]{36}$/, 'fetch'),
					viewSentMs: (entry(/\/view\?/)?.startTime ?? NaN) - started,
					viewMs: resource(/\/view\?/),
					insertedMs,
					shownMs
				});
			};
			const observer = new MutationObserver(check);
			document.addEventListener(
				'click',
				(event) => {
					const button = (event.target as Element | null)?.closest('button');
					if (button?.textContent?.trim() !== 'Generate' || started) return;
					started = performance.now();
					// The click cleared the old results: the first <img> from now on is this run's.
					insertedMs = 0;
					observer.observe(document, { subtree: true, childList: true, attributes: true });
					document.addEventListener('load', check, true);
				},
				true
			);
			setTimeout(
				() =>
					reject(
						new Error(`no image of this run (${want.join()}) within 20 s of the click; last seen ${seen}`)
					),
				20_000
			);
		});
	};
}

async function generateEnabled(page: Page) {
	await page.getByRole('button', { name: 'Generate' }).and(page.locator(':enabled')).waitFor({
		timeout: 60_000
	});
}

async function appJob(page: Page, color: number): Promise<AppTiming> {
	await generateEnabled(page);
	await page.getByLabel('Color (0xRRGGBB as a number)', { exact: true }).fill(String(color));
	await page.evaluate((c) => (window as unknown as { __armApp: (c: number) => void }).__armApp(c), color);
	await page.getByRole('button', { name: 'Generate' }).click();
	const timing = await page
		.evaluate(() => (window as unknown as { __app: Promise<AppTiming> }).__app)
		.catch(async (e: unknown) => {
			await page.screenshot({ path: '/tmp/e2e-speed-fail.png', fullPage: true });
			throw e;
		});
	if (process.env.E2E_SPEED_TRACE)
		console.log(await page.evaluate(() => (window as unknown as { __trace: string[] }).__trace.join(' | ')));
	if (timing.fromCache) throw new Error(`the app answered color ${color} from its cache: not a run`);
	return timing;
}

const rawJob = (page: Page, color: number) =>
	page.evaluate(
		(p) => (window as unknown as { rawClient: RawClient }).rawClient.run(p),
		prompt(color) as Record<string, unknown>
	);

/** Jobs the app keeps in IndexedDB as succeeded with at least one stored output. */
function storedSucceeded(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const req = open.result.transaction('jobs').objectStore('jobs').getAll();
					req.onsuccess = () => {
						const jobs = req.result as { status: string; app?: { images?: { hash?: string }[] } }[];
						open.result.close();
						resolve(
							jobs.filter((j) => j.status === 'succeeded' && j.app?.images?.some((i) => i.hash)).length
						);
					};
				};
			})
	);
}

/** The app's batch: Generate pressed BATCH times as fast as it accepts, until every job is kept with its image. */
async function appBatch(
	page: Page,
	firstColor: number
): Promise<{ ms: number; submittedMs: number; kept: number }> {
	const already = await storedSucceeded(page);
	const started = Date.now();
	const color = page.getByLabel('Color (0xRRGGBB as a number)', { exact: true });
	const steps = { enabled: 0, fill: 0, click: 0 };
	const lap = (key: keyof typeof steps, since: number) => (steps[key] += Date.now() - since);
	const requests = new Map<string, number>();
	const count = (r: { method(): string; url(): string }) => {
		const key = `${r.method()} ${new URL(r.url()).pathname.replace(/[0-9a-f-]{36}/, '{id}')}`;
		requests.set(key, (requests.get(key) ?? 0) + 1);
	};
	if (process.env.E2E_SPEED_TRACE) page.on('request', count);
	const cdp = process.env.E2E_SPEED_PROFILE ? await page.context().newCDPSession(page) : undefined;
	if (cdp) {
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
		await cdp.send('Profiler.start');
	}
	for (let i = 0; i < BATCH; i++) {
		let t = Date.now();
		await generateEnabled(page);
		lap('enabled', t);
		t = Date.now();
		await color.fill(String(firstColor + i));
		lap('fill', t);
		t = Date.now();
		await page.getByRole('button', { name: 'Generate' }).click();
		lap('click', t);
	}
	if (process.env.E2E_SPEED_TRACE) console.log(`  batch presses, ms in all: ${JSON.stringify(steps)}`);
	// Generate stays available while runs are sent, so the 50 presses follow each other as fast as the page takes
	// them (each fills the color first); how long they took is reported on its own.
	const submittedMs = Date.now() - started;
	let kept = 0;
	while (Date.now() - started < 120_000) {
		kept = (await storedSucceeded(page)) - already;
		if (kept >= BATCH) break;
		await page.waitForTimeout(25);
	}
	if (process.env.E2E_SPEED_TRACE) {
		page.off('request', count);
		console.log(`  batch requests: ${JSON.stringify([...requests].sort((x, y) => y[1] - x[1]))}`);
	}
	if (cdp && process.env.E2E_SPEED_PROFILE) {
		const { profile } = await cdp.send('Profiler.stop');
		await writeFile(process.env.E2E_SPEED_PROFILE, JSON.stringify(profile));
	}
	return { ms: Date.now() - started, submittedMs, kept };
}

const ms = (v: number) => v.toFixed(0).padStart(4);

export async function run() {
	const app = await startSimulatorProcess({ timeScale: 0 });
	const appTimes: AppTiming[] = [];
	const rawTimes: RawTiming[] = [];
	let batchApp: { ms: number; submittedMs: number; kept: number };
	let batchRaw: number[];
	try {
		const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
		await context.addInitScript({ content: pageScript(instrument) });
		await context.addInitScript({ content: pageScript(installRawClient) });
		const page = await context.newPage();
		await page.goto(`${app.base}#/generate/${TEMPLATE}`);
		await generateEnabled(page);
		let color = 1;
		for (let i = 0; i < WARMUP; i++) {
			await appJob(page, color++);
			await rawJob(page, color++);
		}
		for (let i = 0; i < JOBS; i++) {
			// Alternate who goes first, so neither always runs right after the other's leftovers.
			const pair = i % 2 === 0 ? ['app', 'raw'] : ['raw', 'app'];
			for (const who of pair) {
				await page.waitForTimeout(150); // both start from a quiet page
				if (who === 'app') appTimes.push(await appJob(page, color++));
				else rawTimes.push(await rawJob(page, color++));
			}
		}
		await page.waitForTimeout(500);
		batchRaw = await page.evaluate(
			(ps) => (window as unknown as { rawClient: RawClient }).rawClient.batch(ps),
			Array.from({ length: BATCH }, (_, i) => prompt(100_000 + i) as Record<string, unknown>)
		);
		await page.waitForTimeout(500);
		batchApp = await appBatch(page, 200_000);
		await context.close();
	} finally {
		await app.close();
	}

	// NaN: the moment did not happen in that run (no REST check before the image, say).
	const median = (f: (t: AppTiming) => number) => percentile(appTimes.map(f).filter(Number.isFinite), 50);
	// Each job's own steps (the medians of the moments above come from different jobs, so they do not add up).
	const moments: [string, (t: AppTiming) => number][] = [
		['click', () => 0],
		['POST sent', (t) => t.sentMs],
		['answered', (t) => t.postedMs],
		['GET /view sent', (t) => t.viewSentMs],
		['/view done', (t) => t.viewMs],
		['<img> in the DOM', (t) => t.insertedMs],
		['decoded', (t) => t.shownMs]
	];
	const steps = moments
		.slice(1)
		.map(([label, to], i) => {
			const [, from] = moments[i] ?? moments[0];
			const each = appTimes.map((t) => to(t) - from(t)).filter(Number.isFinite);
			return `→ ${label} ${ms(percentile(each, 50))}`;
		})
		.join(', ');
	const shown = appTimes.map((t) => t.shownMs);
	const bytes = rawTimes.map((t) => t.bytesMs);
	const rawMedian = (f: (t: RawTiming) => number) => percentile(rawTimes.map(f), 50);
	console.log(
		`\n  app, median ms from the click: POST sent ${ms(median((t) => t.sentMs))}, answered ${ms(median((t) => t.postedMs))},` +
			` executing null ${ms(median((t) => t.executedMs))}, REST check ${ms(median((t) => t.checkedMs))}, /view done ${ms(median((t) => t.viewMs))},` +
			` <img> in the DOM ${ms(median((t) => t.insertedMs))}, decoded ${ms(median((t) => t.shownMs))}` +
			`\n  app, median of each job's own steps, ms: ${steps}` +
			`\n  raw, median ms from the POST: answered ${ms(rawMedian((t) => t.postedMs))}, executed ${ms(rawMedian((t) => t.executedMs))},` +
			` history ${ms(rawMedian((t) => t.historyMs))}, bytes ${ms(rawMedian((t) => t.bytesMs))}` +
			`\n  batch of ${BATCH}: app ${batchApp.ms.toFixed(0)} ms (${batchApp.kept} kept; the last of ${BATCH} clicks accepted after ${batchApp.submittedMs.toFixed(0)} ms), raw ${Math.max(...batchRaw).toFixed(0)} ms (${batchRaw.length} with bytes)`
	);
	const ratio = (a: number, b: number) => a / b;
	return [
		{ name: `app submit → image shown, median of ${JOBS}`, value: percentile(shown, 50), unit: 'ms' },
		{ name: `app submit → image shown, p95 of ${JOBS}`, value: percentile(shown, 95), unit: 'ms' },
		{ name: `raw submit → image bytes, median of ${JOBS}`, value: percentile(bytes, 50), unit: 'ms' },
		{ name: `raw submit → image bytes, p95 of ${JOBS}`, value: percentile(bytes, 95), unit: 'ms' },
		{
			name: 'app / raw, median',
			value: ratio(percentile(shown, 50), percentile(bytes, 50)),
			unit: '×',
			target: 1.1
		},
		{
			name: 'app / raw, p95',
			value: ratio(percentile(shown, 95), percentile(bytes, 95)),
			unit: '×',
			target: 1.1
		},
		{
			name: `batch of ${BATCH}: app (all kept) / raw (all bytes in)`,
			value: ratio(batchApp.ms, Math.max(...batchRaw)),
			unit: '×',
			target: 1.1
		},
		{ name: `batch of ${BATCH}: jobs lost by the app`, value: BATCH - batchApp.kept, unit: 'jobs', target: 0 }
	];
}
