import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expectEveryKind } from './media-helpers';
import { appBase as base, openNewestRun, resetSimulatorEachTest, openTemplate } from './page-helpers';

// A run that makes an MP4, a WebM, an animated WebP, a FLAC and a text (the demo-media starter, the m_media
// workflow), against the simulator serving the app: each is shown with the right element and plays, survives a
// reload, is in History, and comes back from a backup in a fresh browser.
const TEMPLATE = 'demo-media';

resetSimulatorEachTest();

test('every kind of result is shown, plays, survives a reload, and is in History and a backup', async ({
	page,
	browser
}) => {
	test.setTimeout(120_000);
	await openTemplate(page, `${TEMPLATE}`);
	await page.getByRole('textbox', { name: 'Caption' }).fill('a caption from PrimitiveString');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expectEveryKind(page);
	// Each picture, video and audio file can feed an input of its kind (media-inputs.e2e.ts follows one).
	const offered = page.getByRole('list', { name: 'Results' }).getByRole('button', { name: /^Use as input / });
	expect((await offered.allTextContents()).map((t) => t.replace(/.*\./, '')).sort()).toEqual([
		'flac',
		'mp4',
		'webm',
		'webp'
	]);

	// History: the run's card, then its page, from IndexedDB after a reload.
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { level: 1, name: 'History' })).toBeVisible();
	await page.reload();
	const card = page
		.getByRole('list', { name: 'Generations' })
		.getByRole('link', { name: /^Open / })
		.first();
	await expect(card).toBeVisible({ timeout: 15_000 });
	// Its badges say what the still thumbnail hides.
	// Its name holds every word the badges show, in their order (the kinds, the length, the count).
	await expect(card).toHaveAccessibleName(
		/^Open Demo: .*, Video, Animated, Audio, Text, 1 s, \d+ results, Done, /
	);
	await expect(card.locator('.kind')).toHaveText(['Video', 'Animated', 'Audio', 'Text', '1 s']);
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
	await openNewestRun(fresh);
	await expectEveryKind(fresh);
	await context.close();
});

test('a mask painted with the mouse reaches the server as /upload/mask, painted area transparent', async ({
	page
}) => {
	test.setTimeout(60_000);
	await openTemplate(page, 'sd15-img2img');
	const picture = readFileSync(new URL('../fixtures/comfyui/images/invert-png.png', import.meta.url));
	await page.getByRole('group', { name: 'Image' }).locator('input[type="file"]').setInputFiles({
		name: 'mask-base.png',
		mimeType: 'image/png',
		buffer: picture
	});
	await expect(page.getByText(/Uploaded as mask-base/)).toBeVisible();
	await page.getByRole('button', { name: /^Paint mask/ }).click();
	const dialog = page.getByRole('dialog', { name: /Paint a mask on mask-base/ });
	await expect(dialog).toBeVisible();
	const canvas = dialog.locator('canvas');
	await expect(canvas).toBeVisible();
	const { width: naturalWidth, height: naturalHeight } = PNG.sync.read(picture);
	// At the picture's real resolution, whatever size it is shown at.
	expect(await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([
		naturalWidth,
		naturalHeight
	]);

	// A horizontal stroke across the top-left quarter.
	const box = (await canvas.boundingBox())!;
	await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.25);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.25, { steps: 8 });
	await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.25, { steps: 8 });
	await page.mouse.up();

	const uploading = page.waitForRequest((r) => r.url().endsWith('/upload/mask') && r.method() === 'POST');
	await dialog.getByRole('button', { name: 'Save mask' }).click();
	// Playwright does not expose a multipart body holding a Blob; the server's answer below shows original_ref
	// arrived (without it ComfyUI and the simulator answer 500, n_mask_upload.json).
	expect((await uploading).url()).toMatch(/\/api\/upload\/mask$/);
	await expect(dialog).toBeHidden();
	await expect(page.getByText(/Mask saved as mask-base[^ ]*-mask\.png/)).toBeVisible();
	const value = await page.getByLabel('Image', { exact: true }).inputValue();
	expect(value).toMatch(/^mask-base.*-mask\.png$/);

	// What the server stored: the picture with the mask in its alpha, painted area transparent.
	const stored = await page.request.get(`${base}api/view?filename=${encodeURIComponent(value)}&type=input`);
	const merged = PNG.sync.read(await stored.body());
	const alpha = (fx: number, fy: number) =>
		merged.data[(Math.floor(fy * merged.height) * merged.width + Math.floor(fx * merged.width)) * 4 + 3];
	expect([merged.width, merged.height]).toEqual([naturalWidth, naturalHeight]);
	expect(alpha(0.25, 0.25)).toBe(0);
	expect(alpha(0.75, 0.75)).toBe(255);
	expect(alpha(0.25, 0.8)).toBe(255);

	// The run uses (and so records) the masked picture.
	const posting = page.waitForRequest((r) => r.url().endsWith('/prompt') && r.method() === 'POST');
	await page.getByRole('button', { name: 'Generate' }).click();
	expect((await posting).postData()).toContain(value);
});
