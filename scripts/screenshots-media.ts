// Screenshots of every kind of result (issue 17) at 1280 and 360 px, light and dark:
// `npx tsx scripts/screenshots-media.ts http://127.0.0.1:8188/` against the simulator serving the build.
// One demo-media run is made in each context (IndexedDB is per context), then the run, History and its page,
// the remix form with that run's video and sound as inputs, and the mask painter.
import type { Page } from '@playwright/test';
import { forEachViewport, launchBrowser } from './screenshot-kit';

const base = process.argv[2] ?? 'http://127.0.0.1:8188/';

async function run(page: Page) {
	await page.goto(`${base}#/generate/demo-media`);
	const generate = page.getByRole('button', { name: 'Generate' });
	await generate.waitFor();
	await page.waitForTimeout(500);
	await page
		.getByRole('textbox', { name: 'Caption' })
		.fill(
			'A lighthouse on a rocky shore at dusk, waves breaking below.\nSecond line of a longer caption.\nThird.\nFourth.\nFifth.\nSixth.\nSeventh line, folded away until asked for.'
		);
	await generate.click();
	await page.getByRole('list', { name: 'Results' }).locator('video').first().waitFor({ timeout: 30_000 });
	await page.waitForTimeout(1500);
}

/** The mask painter on an uploaded picture, with one stroke painted. */
async function maskPainter(page: Page, path: string) {
	await page.goto(`${base}#/generate/sd15-img2img`);
	await page.getByRole('button', { name: 'Generate' }).waitFor();
	await page.waitForTimeout(500);
	await page
		.getByRole('group', { name: 'Image' })
		.locator('input[type="file"]')
		.setInputFiles('tests/fixtures/comfyui/images/invert-png.png');
	await page.getByRole('button', { name: /^Paint mask/ }).click();
	const canvas = page.getByRole('dialog').locator('canvas');
	await canvas.waitFor();
	const box = await canvas.boundingBox();
	if (box) {
		await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
		await page.mouse.down();
		await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 12 });
		await page.mouse.up();
	}
	await page.waitForTimeout(300);
	await page.screenshot({ path });
}

/** The remix form: the demo's saved video and sound as its inputs, previewed, and a wrong file refused. */
async function mediaInputs(page: Page, path: string) {
	await page.goto(`${base}#/generate/demo-media-remix`);
	await page.getByRole('button', { name: 'Generate' }).waitFor();
	await page.getByRole('group', { name: 'Video' }).locator('video').waitFor();
	await page
		.getByRole('group', { name: 'Audio' })
		.locator('input[type="file"]')
		.setInputFiles({ name: 'notes.txt', mimeType: 'audio/flac', buffer: Buffer.from('not a sound') });
	await page.getByRole('group', { name: 'Audio' }).getByRole('alert').waitFor();
	await page.waitForTimeout(800);
	await page.screenshot({ path, fullPage: true });
}

const browser = await launchBrowser();
await forEachViewport({
	browser,
	each: async ({ page, name }) => {
		await run(page);
		await page.screenshot({ path: name('media-run'), fullPage: true });
		await page.goto(`${base}#/history`);
		await page.getByRole('list', { name: 'Generations' }).getByRole('link').first().waitFor();
		await page.waitForTimeout(800);
		await page.screenshot({ path: name('media-history') });
		await page.getByRole('list', { name: 'Generations' }).getByRole('link').first().click();
		await page.getByRole('list', { name: 'Results' }).locator('video').first().waitFor();
		await page.waitForTimeout(1000);
		await page.screenshot({ path: name('media-history-detail'), fullPage: true });
		await mediaInputs(page, name('media-inputs'));
		await maskPainter(page, name('mask-painter'));
	}
});
await browser.close();
