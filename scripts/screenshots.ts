// Takes the README's screenshots of the built app at 1280 and 360 px wide: `npx tsx scripts/screenshots.ts`.
// Against the simulator (same origin, like ComfyUI's --front-end-root) so the shell shows a live server.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './chromium.js';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';
const views = (process.argv[3] ?? '/,/settings').split(',');
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
for (const scheme of ['light', 'dark'] as const) {
	for (const width of [1280, 360]) {
		const context = await browser.newContext({
			viewport: { width, height: width > 500 ? 800 : 740 },
			colorScheme: scheme,
			deviceScaleFactor: 1
		});
		const page = await context.newPage();
		for (const entry of views) {
			// `/settings@backup-heading`: the view scrolled to that element (a section below the fold).
			const [view = '/', anchor] = entry.split('@');
			await page.goto(`${base}#${view}`);
			await page.waitForLoadState('networkidle');
			if (anchor)
				await page
					.locator(`#${anchor}`)
					.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 120));
			await page.waitForTimeout(400);
			const name = view === '/' ? 'dashboard' : view.replace(/^\//, '').replace(/\W+/g, '-');
			const slug = anchor ? `${name}-${anchor.replace(/-heading$/, '')}` : name;
			await page.screenshot({ path: `${out}/${slug}-${width}-${scheme}.png` });
		}
		await context.close();
	}
}
await browser.close();
console.log(`Screenshots written to ${out}/`);
