import { expect, test, type Locator, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

// A run that makes an MP4, a WebM, an animated WebP, a FLAC and a text (the demo-media starter, the m_media
// workflow), against the simulator serving the app: each is shown with the right element and plays, survives a
// reload, is in History, and comes back from a backup in a fresh browser.
const base = `http://127.0.0.1:${PORTS.simulatorApp}/`;
const TEMPLATE = 'demo-media';

async function control(page: Page, body: Record<string, unknown>) {
	const response = await page.request.post(`${base}__sim/control`, { data: body });
	expect(response.ok()).toBe(true);
}

test.beforeEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

test.afterEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

/** Waits until the `<video>` has decoded its first frame (`loadeddata`, readyState ≥ 2). */
async function expectVideoPlays(video: Locator) {
	await expect
		.poll(() => video.evaluate((v: HTMLVideoElement) => (v.error ? -1 : v.readyState)), { timeout: 15_000 })
		.toBeGreaterThanOrEqual(2);
	expect(await video.evaluate((v: HTMLVideoElement) => [v.muted, v.loop, v.controls, v.playsInline])).toEqual(
		[true, true, true, true]
	);
}

async function expectEveryKind(page: Page) {
	const results = page.getByRole('list', { name: 'Results' });
	const videos = results.locator('video');
	await expect(videos).toHaveCount(2, { timeout: 30_000 });
	for (const video of await videos.all()) await expectVideoPlays(video);
	const audio = results.locator('audio');
	await expect(audio).toHaveCount(1);
	await expect
		.poll(() => audio.evaluate((a: HTMLAudioElement) => (a.error ? -1 : a.readyState)), { timeout: 15_000 })
		.toBeGreaterThanOrEqual(1);
	const webp = results.getByRole('img', { name: /\.webp$/ });
	await expect(webp).toHaveCount(1);
	await expect.poll(() => webp.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
	// The animated WebP is not offered to image inputs as a video would have been; the videos are not at all.
	await expect(results.getByRole('button', { name: /Use as input .*\.(mp4|webm|flac)$/ })).toHaveCount(0);
	const texts = page.getByRole('list', { name: 'Text results' });
	await expect(texts.getByText('a caption from PrimitiveString')).toBeVisible();
	// Nothing shown broken.
	await expect(page.getByRole('note')).toHaveCount(0);
}

test('every kind of result is shown, plays, survives a reload, and is in History and a backup', async ({
	page,
	browser
}) => {
	test.setTimeout(120_000);
	await page.goto(`${base}#/generate/${TEMPLATE}`);
	await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled({ timeout: 15_000 });
	await page.getByRole('textbox', { name: 'Caption' }).fill('a caption from PrimitiveString');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expectEveryKind(page);

	// History: the run's card, then its page, from IndexedDB after a reload.
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
	await page.reload();
	const card = page
		.getByRole('list', { name: 'Generations' })
		.getByRole('link', { name: /^Open / })
		.first();
	await expect(card).toBeVisible({ timeout: 15_000 });
	await page.getByRole('searchbox').first().fill('caption from primitivestring');
	await expect(
		page.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / })
	).toHaveCount(1);
	await card.click();
	await expectEveryKind(page);

	// A backup round trip into a fresh browser.
	await page.goto(`${base}#/settings`);
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export everything' }).click();
	const file = test.info().outputPath('media-backup.zip');
	await (await downloading).saveAs(file);
	const context = await browser.newContext();
	const fresh = await context.newPage();
	await fresh.goto(`${base}#/settings`);
	await fresh.getByLabel('Choose a backup file…').setInputFiles(file);
	await fresh.getByRole('region', { name: 'Import review' }).getByRole('button', { name: 'Import' }).click();
	await expect(fresh.getByRole('region', { name: 'Import summary' }).getByRole('status')).toHaveText(
		/1 new generation/
	);
	await fresh.goto(`${base}#/history`);
	await fresh
		.getByRole('list', { name: 'Generations' })
		.getByRole('link', { name: /^Open / })
		.first()
		.click();
	await expectEveryKind(fresh);
	await context.close();
});
