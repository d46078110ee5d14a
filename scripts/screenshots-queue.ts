// Screenshots of the Queue view with a batch under way, at 1280 and 360 px, light and dark:
// `npx tsx scripts/screenshots-queue.ts http://127.0.0.1:8188/` against a simulator serving the build
// (`npm run simulator -- --port 8188 --front-end-root build --test-mode --time-scale 0.3`).
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './chromium.js';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });
const api = JSON.parse(readFileSync('static/templates/sd15-txt2img.json', 'utf8')).api;

/** A batch of 9 CFG × seed variations, two of them held, as the app stores its queue. */
function snapshot() {
	const entries = Array.from({ length: 9 }, (_, i) => {
		const cfg = 4 + (i % 3);
		const seed = 100 + Math.floor(i / 3);
		const workflow = structuredClone(api);
		workflow['3'].inputs.cfg = cfg;
		workflow['3'].inputs.seed = seed;
		return {
			id: `shot-${i}`,
			status: i >= 7 ? 'paused' : 'waiting',
			priority: 0,
			target: { kind: 'any' },
			workflow,
			label: `CFG ${cfg} · Seed ${seed}`,
			group: { id: 'shots', key: `x${i % 3}-y${Math.floor(i / 3)}` },
			app: { templateId: 'sd15-txt2img', templateName: 'SD 1.5 text to image' },
			createdAt: i,
			attempts: []
		};
	});
	return { version: 1, savedAt: 0, paused: false, entries };
}

async function seed(page: Page) {
	await page.evaluate(async (value) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		// No named functions in here: tsx would wrap them in a helper the page does not have.
		for (;;) {
			const stored = await new Promise<unknown>((resolve) => {
				const req = db.transaction('browserQueue').objectStore('browserQueue').get('queue');
				req.onsuccess = () => resolve(req.result);
			});
			if (stored !== undefined) break;
			await new Promise((r) => setTimeout(r, 50));
		}
		await new Promise<void>((resolve) => {
			const tx = db.transaction('browserQueue', 'readwrite');
			tx.objectStore('browserQueue').put(value, 'queue');
			tx.oncomplete = () => resolve();
		});
		db.close();
	}, snapshot());
}

const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
for (const scheme of ['light', 'dark'] as const) {
	for (const width of [1280, 360]) {
		await fetch(`${base}__sim/control`, { method: 'POST', body: JSON.stringify({ action: 'restart' }) });
		await fetch(`${base}__sim/control`, {
			method: 'POST',
			body: JSON.stringify({ action: 'previewStream', fps: 8 })
		});
		const context = await browser.newContext({
			viewport: { width, height: width > 500 ? 800 : 740 },
			colorScheme: scheme,
			deviceScaleFactor: 1
		});
		const page = await context.newPage();
		await page.goto(`${base}#/settings`);
		const perServer = page.getByRole('spinbutton', { name: 'Items per server' });
		await perServer.fill('1');
		await perServer.press('Tab');
		await page.goto(`${base}#/queue`);
		await page.getByRole('heading', { name: 'In this browser' }).waitFor();
		await seed(page);
		await page.reload();
		await page.locator('ul.finished > li').first().waitFor({ timeout: 60_000 });
		await page.locator('.flight img').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(300);
		await page.screenshot({ path: `${out}/queue-${width}-${scheme}.png`, fullPage: true });
		await context.close();
	}
}
await browser.close();
