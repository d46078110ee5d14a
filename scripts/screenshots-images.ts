// Screenshots of the image viewer and the run comparison at 1280 and 360 px, light and dark:
// `npx tsx scripts/screenshots-images.ts http://127.0.0.1:8188/` against a simulator serving the build.
import type { Page } from '@playwright/test';
import { forEachLook, launchBrowser, openNewestRun, out } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';

const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
const page = await context.newPage();

// Two runs of the same template that differ in seed and steps, so the comparison has something to show.
const runs: Record<string, string>[] = [
	{ Seed: '1234', Steps: '20', Prompt: 'a lighthouse on a cliff at dusk, oil painting' },
	{ Seed: '98765', Steps: '28', Prompt: 'a lighthouse on a cliff at dusk, oil painting' }
];
for (const values of runs) {
	await page.goto(`${base}#/generate/sd15-txt2img`);
	const generate = page.getByRole('button', { name: 'Generate' });
	await generate.waitFor();
	await page.waitForTimeout(300);
	for (const [label, value] of Object.entries(values))
		await page.getByLabel(label, { exact: true }).fill(value);
	await generate.click();
	await page.getByRole('list', { name: 'Results' }).getByRole('img').first().waitFor({ timeout: 30_000 });
}

async function shoot(slug: string, open: (page: Page) => Promise<void>) {
	await forEachLook({
		page,
		each: async ({ name }) => {
			await open(page);
			await page.waitForTimeout(500);
			await page.screenshot({ path: name(slug) });
		}
	});
}

await shoot('viewer', async (page) => {
	await page.goto(`${base}#/history`);
	await page.waitForLoadState('networkidle');
	await page
		.getByRole('button', { name: /^View / })
		.first()
		.click();
	await page.getByRole('dialog').getByRole('img').waitFor();
	await page.keyboard.press('+');
});

// The newest run's page, scrolled to the comparison with the run before it: side by side, then the slider.
const detail = await openNewestRun({ page, base });
for (const mode of ['Side by side', 'Slider'] as const) {
	await shoot(mode === 'Slider' ? 'compare-slider' : 'compare', async (page) => {
		await page.goto(`${base}${detail}`);
		await page.waitForLoadState('networkidle');
		const region = page.getByRole('region', { name: 'Parameters' });
		await region.getByRole('button', { name: mode }).click();
		if (mode === 'Slider') await region.getByRole('slider').fill('35');
		await page.getByRole('heading', { name: 'Difference to another run' }).evaluate((el) =>
			// Below the sticky header, and at 360 px the menu bar under it too.
			window.scrollTo(
				0,
				el.getBoundingClientRect().top + window.scrollY - (window.innerWidth < 500 ? 150 : 80)
			)
		);
	});
}

await context.close();
await browser.close();
console.log(`Screenshots written to ${out}/`);
