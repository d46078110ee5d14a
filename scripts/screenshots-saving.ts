// Screenshots of Settings' "Save results to a folder" at 1280 and 360 px, light and dark, with a folder chosen and
// a result saved into it: `npx tsx scripts/screenshots-saving.ts http://127.0.0.1:8188/` against a simulator
// serving the build. The native folder picker cannot be driven, so the page's picker hands out a folder of the
// origin-private file system named "Renders" (what a user would see after picking their own).
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './chromium.js';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
// A string, not a function: tsx would wrap the arrow in its __name helper, which the page does not have.
await context.addInitScript({
	content: `Object.defineProperty(window, 'showDirectoryPicker', {
		value: async () => (await navigator.storage.getDirectory()).getDirectoryHandle('Renders', { create: true })
	});`
});
const page = await context.newPage();

await page.goto(`${base}#/settings`);
await page.getByRole('radio', { name: 'Into a folder on this computer' }).check();
await page.getByRole('button', { name: 'Choose a folder' }).click();
await page.getByText('Saving into the folder').waitFor();
await page.goto(`${base}#/generate/demo-solid-color`);
const generate = page.getByRole('button', { name: 'Generate' });
await generate.waitFor();
await page.waitForTimeout(300);
await generate.click();
await page.getByRole('list', { name: 'Results' }).getByRole('img').first().waitFor({ timeout: 30_000 });
// Same document: the count of files saved since the page opened is still there.
await page.goto(`${base}#/settings`);
await page.getByText('Last saved:').waitFor();

for (const scheme of ['light', 'dark'] as const) {
	for (const width of [1280, 360]) {
		await page.emulateMedia({ colorScheme: scheme });
		await page.setViewportSize({ width, height: width > 500 ? 800 : 740 });
		await page
			.locator('#saving-heading')
			.evaluate((el) =>
				window.scrollTo(
					0,
					el.getBoundingClientRect().top + window.scrollY - (window.innerWidth < 500 ? 150 : 90)
				)
			);
		await page.waitForTimeout(400);
		await page.screenshot({ path: `${out}/settings-saving-${width}-${scheme}.png` });
	}
}

await context.close();
await browser.close();
console.log(`Screenshots written to ${out}/`);
