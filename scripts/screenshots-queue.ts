// Screenshots of the Queue view with a batch under way, at 1280 and 360 px, light and dark:
// `npx tsx scripts/screenshots-queue.ts http://127.0.0.1:8188/` against a simulator serving the build
// (`npm run simulator -- --port 8188 --front-end-root build --test-mode --time-scale 0.3`).
import { readFileSync } from 'node:fs';
import { storedQueue, storeQueue } from '../tests/e2e/queue-helpers';
import { forEachViewport, launchBrowser } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';
const api = JSON.parse(readFileSync('static/templates/sd15-txt2img.json', 'utf8')).api;

/** A batch of 9 CFG × seed variations, two of them held, as the app stores its queue. */
function snapshot() {
	return storedQueue({
		group: 'shots',
		paused: false,
		items: Array.from({ length: 9 }, (_, i) => {
			const cfg = 4 + (i % 3);
			const seed = 100 + Math.floor(i / 3);
			const workflow = structuredClone(api);
			workflow['3'].inputs.cfg = cfg;
			workflow['3'].inputs.seed = seed;
			return {
				id: `shot-${i}`,
				status: i >= 7 ? ('paused' as const) : ('waiting' as const),
				workflow,
				label: `CFG ${cfg} · Seed ${seed}`,
				key: `x${i % 3}-y${Math.floor(i / 3)}`,
				app: { templateId: 'sd15-txt2img', templateName: 'SD 1.5 text to image' }
			};
		})
	});
}

const browser = await launchBrowser();
await forEachViewport({
	browser,
	each: async ({ page, name }) => {
		await fetch(`${base}__sim/control`, { method: 'POST', body: JSON.stringify({ action: 'restart' }) });
		await fetch(`${base}__sim/control`, {
			method: 'POST',
			body: JSON.stringify({ action: 'previewStream', fps: 8 })
		});
		await page.goto(`${base}#/settings`);
		const perServer = page.getByRole('spinbutton', { name: 'Items per server' });
		await perServer.fill('1');
		await perServer.press('Tab');
		await storeQueue({ page, base, snapshot: snapshot() });
		await page.goto(`${base}#/queue`);
		await page.locator('ul.finished > li').first().waitFor({ timeout: 60_000 });
		await page.locator('.flight img').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(300);
		await page.screenshot({ path: name('queue'), fullPage: true });
	}
});
await browser.close();
