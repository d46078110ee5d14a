// A cache hit: Generate pressed again for a prompt that already ran. How long from the click until the stored
// image is on screen, decoded? The page is reloaded before every repetition, so each hit reads IndexedDB and
// decodes the image afresh instead of re-rendering what is already in the DOM.
import type { Page } from '@playwright/test';
import { pageScript, percentile, startSimulatorApp } from './simulator-app';

export const name = 'cache hit';

const REPETITIONS = 15;

/** One hit, in ms from the click: the result <img> in the DOM, decoded, and the frame after. */
type Hit = { insertedMs: number; decodedMs: number; paintedMs: number; fromCache: boolean };

/** Runs in the page before the app: times click → cached image decoded (and the frame after) once armed. */
function instrument() {
	const w = window as unknown as { __armHit: () => void; __hit?: Promise<Hit> };
	w.__armHit = () => {
		w.__hit = new Promise<Hit>((resolve, reject) => {
			let started = 0;
			const image = () => {
				const img = document.querySelector<HTMLImageElement>('[aria-label="Results"] img');
				return img && img.complete && img.naturalWidth > 0 ? img : null;
			};
			let insertedMs = 0;
			const check = () => {
				if (started && !insertedMs && document.querySelector('[aria-label="Results"] img'))
					insertedMs = performance.now() - started;
				if (!started || !image()) return;
				const decodedMs = performance.now() - started;
				observer.disconnect();
				document.removeEventListener('load', check, true);
				const fromCache = [...document.querySelectorAll('.badge')].some(
					(b) => b.textContent === 'From cache'
				);
				requestAnimationFrame(() =>
					setTimeout(() =>
						resolve({ decodedMs, paintedMs: performance.now() - started, fromCache, insertedMs })
					)
				);
			};
			const observer = new MutationObserver(check);
			document.addEventListener(
				'click',
				(event) => {
					const button = (event.target as Element | null)?.closest('button');
					if (button?.textContent?.trim() !== 'Generate' || started) return;
					started = performance.now();
					observer.observe(document, { subtree: true, childList: true, attributes: true });
					document.addEventListener('load', check, true); // an <img> finishing its decode
				},
				true
			);
			setTimeout(() => reject(new Error('no cached image within 10 s of the click')), 10_000);
		});
	};
}

async function generateEnabled(page: Page) {
	await page.waitForFunction(
		() => {
			const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === 'Generate');
			return b && !b.disabled;
		},
		undefined,
		{ timeout: 60_000 }
	);
}

export async function run() {
	const app = await startSimulatorApp({ timeScale: 0.05 });
	const decoded: number[] = [];
	const painted: number[] = [];
	const inserted: number[] = [];
	try {
		const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
		await context.addInitScript({ content: pageScript(instrument) });
		const page = await context.newPage();
		await page.goto(`${app.base}#/generate/demo-solid-color`);
		await generateEnabled(page);
		const generate = page.getByRole('button', { name: 'Generate' });
		const results = page.getByRole('list', { name: 'Results' }).getByRole('img');
		// The first run really generates; its images are kept in IndexedDB and fill the cache.
		await generate.click();
		await results.first().waitFor({ timeout: 30_000 });

		for (let i = 0; i < REPETITIONS; i++) {
			await page.reload();
			await generateEnabled(page);
			await page.waitForTimeout(300); // the socket, model lists and IndexedDB settle, as for a person
			await page.evaluate(() => (window as unknown as { __armHit: () => void }).__armHit());
			await generate.click();
			const hit = await page.evaluate(() => (window as unknown as { __hit: Promise<Hit> }).__hit);
			if (!hit.fromCache)
				throw new Error('the second Generate ran again instead of answering from the cache');
			decoded.push(hit.decodedMs);
			inserted.push(hit.insertedMs);
			painted.push(hit.paintedMs);
		}
		await context.close();
	} finally {
		await app.close();
	}
	console.log(
		`\n  click → <img> in the DOM (ms): ${inserted.map((v) => v.toFixed(1)).join(' ')}` +
			`\n  click → decoded (ms): ${decoded.map((v) => v.toFixed(1)).join(' ')}\n  click → next frame (ms): ${painted.map((v) => v.toFixed(1)).join(' ')}`
	);
	return [
		{
			// IndexedDB lookups and the render; the rest up to "decoded" is the image's load and decode.
			name: `click to the result <img> in the DOM, median of ${REPETITIONS}`,
			value: percentile(inserted, 50),
			unit: 'ms'
		},
		{
			name: `click to cached image decoded, median of ${REPETITIONS}`,
			value: percentile(decoded, 50),
			unit: 'ms',
			target: 50
		},
		{
			name: `click to cached image decoded, p95 of ${REPETITIONS}`,
			value: percentile(decoded, 95),
			unit: 'ms',
			target: 50
		},
		{ name: `click to the frame after, median of ${REPETITIONS}`, value: percentile(painted, 50), unit: 'ms' }
	];
}
