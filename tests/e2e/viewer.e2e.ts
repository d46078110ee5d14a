import { expect, test, type Page } from '@playwright/test';
import { appBase as base, control, resetSimulatorEachTest } from './page-helpers';

// The full-window viewer: over a run's results on the generate page (pictures zoom, videos play) and over the
// History filter, by keyboard; focus is kept inside and goes back where it was.

resetSimulatorEachTest();

const viewer = (page: Page) => page.getByRole('dialog');
const insideViewer = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));

async function generate(page: Page, template: string, fields: Record<string, string> = {}) {
	await page.goto(`${base}#/generate/${template}`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	for (const [label, value] of Object.entries(fields))
		await page.getByLabel(label, { exact: true }).fill(value);
	await button.click();
}

test('a run’s results open full window: zoom, previous/next through pictures and videos, Escape', async ({
	page
}) => {
	test.setTimeout(90_000);
	await generate(page, 'demo-media');
	const results = page.getByRole('list', { name: 'Results' });
	await expect(results.locator('video')).toHaveCount(2, { timeout: 30_000 });
	const link = results.getByRole('link', { name: /^View .*\.webp$/ });
	await link.click();

	const dialog = viewer(page);
	await expect(dialog).toBeVisible();
	const title = dialog.getByRole('heading', { level: 2 });
	await expect(title).toContainText('.webp');
	await expect(title).toContainText(/\d of 4/);
	expect(await insideViewer(page)).toBe(true);

	await test.step('+ and - zoom the picture, 0 fits it again', async () => {
		const picture = dialog.getByRole('img');
		const width = async () => (await picture.boundingBox())?.width ?? 0;
		const fitted = await width();
		expect(fitted).toBeGreaterThan(64);
		await page.keyboard.press('+');
		await expect(dialog.getByText('150%')).toBeVisible();
		await expect.poll(width).toBeCloseTo(fitted * 1.5, 0);
		await page.keyboard.press('+');
		await expect(dialog.getByText('225%')).toBeVisible();
		await page.keyboard.press('-');
		await expect(dialog.getByText('150%')).toBeVisible();
		await page.keyboard.press('0');
		await expect(dialog.getByText('100%')).toBeVisible();
		await expect.poll(width).toBeCloseTo(fitted, 0);
	});

	await test.step('the wheel zooms about the pointer and a drag pans', async () => {
		const stage = dialog.getByRole('img');
		const box = await stage.boundingBox();
		if (!box) throw new Error('no picture');
		await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
		await page.mouse.wheel(0, -300);
		await expect(dialog.getByText('100%')).toHaveCount(0);
		// A square picture fitted to a wide window overflows it only in height once zoomed: it moves up and down.
		const before = (await stage.boundingBox())?.y ?? 0;
		await page.mouse.down();
		await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 60, { steps: 4 });
		await page.mouse.up();
		await expect.poll(async () => ((await stage.boundingBox())?.y ?? 0) - before).toBeCloseTo(60, 0);
	});

	await test.step('arrows walk the run; a video is shown with its player', async () => {
		const names = new Set<string>();
		for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
		await expect(title).toContainText('1 of 4');
		for (let i = 1; i <= 4; i++) {
			await expect(title).toContainText(`${i} of 4`);
			names.add((await title.locator('.name').textContent()) ?? '');
			if ((await dialog.locator('video').count()) > 0) {
				await expect
					.poll(() =>
						dialog.locator('video').evaluate((v: HTMLVideoElement) => (v.error ? -1 : v.readyState))
					)
					.toBeGreaterThanOrEqual(2);
			}
			await page.keyboard.press('ArrowRight');
		}
		expect([...names].some((name) => name.endsWith('.mp4'))).toBe(true);
		expect(names.size).toBe(4);
		await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
	});

	await test.step('Tab stays inside; Escape closes and gives focus back to the result', async () => {
		for (let i = 0; i < 12; i++) {
			await page.keyboard.press('Tab');
			expect(await insideViewer(page)).toBe(true);
		}
		await page.keyboard.press('Escape');
		await expect(dialog).toHaveCount(0);
		await expect(link).toBeFocused();
	});
});

test('History: the viewer walks the current filter, downloads, and opens the run', async ({ page }) => {
	test.setTimeout(90_000);
	for (const width of ['64', '80', '96']) {
		await generate(page, 'demo-solid-color', { Width: width });
		await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
			timeout: 20_000
		});
	}
	await page.goto(`${base}#/history`);
	const views = page.getByRole('list', { name: 'Generations' }).getByRole('button', { name: /^View / });
	await expect(views).toHaveCount(3, { timeout: 15_000 });
	// The cards tell the runs apart by their size (newest first).
	const items = page.getByRole('list', { name: 'Generations' }).getByRole('listitem');
	await expect(items.nth(0)).toContainText(/96×\d+/);
	await expect(items.nth(2)).toContainText(/64×\d+/);
	await views.nth(1).click();

	const dialog = viewer(page);
	const title = dialog.getByRole('heading', { level: 2 });
	await expect(title).toContainText('2 of 3');
	await expect(title).toContainText('Demo: solid color');
	const picture = dialog.getByRole('img');
	await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(80);
	await page.keyboard.press('ArrowRight');
	await expect(title).toContainText('3 of 3');
	// Newest first: the last of the filter is the first run.
	await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);

	const download = page.waitForEvent('download');
	await dialog.getByRole('link', { name: 'Download' }).click();
	expect((await download).suggestedFilename()).toMatch(/\.png$/);

	await test.step('Use as input offers the templates that take an image', async () => {
		await dialog.getByRole('button', { name: 'Use as input' }).click();
		await expect(dialog.getByRole('form', { name: 'Use as input' })).toBeVisible();
		await dialog.getByRole('form', { name: 'Use as input' }).getByRole('button', { name: 'Cancel' }).click();
		await expect(dialog.getByRole('form', { name: 'Use as input' })).toHaveCount(0);
	});

	await page.keyboard.press('Escape');
	await expect(dialog).toHaveCount(0);
	await expect(views.nth(1)).toBeFocused();

	await views.first().click();
	await expect(title).toContainText('1 of 3');
	await dialog.getByRole('link', { name: 'Open the run' }).click();
	await expect(page).toHaveURL(/#\/history\/[\w-]+$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo: solid color (no models)');
	await expect(page.getByRole('dialog')).toHaveCount(0);

	await test.step('Use as input names the saved picture on its server; once it is gone, uploads the kept copy and says so', async () => {
		let uploads = 0;
		page.on('request', (r) => {
			if (r.url().includes('/upload/')) uploads++;
		});
		const useFirst = async () => {
			await page.goto(`${base}#/history`);
			await views.first().click();
			await expect(title).toContainText('1 of 3');
			await dialog.getByRole('button', { name: 'Use as input' }).click();
			const form = dialog.getByRole('form', { name: 'Use as input' });
			await form.getByRole('button', { name: 'Open with this image' }).click();
			return form;
		};
		const field = page.getByLabel('Image', { exact: true });
		await useFirst();
		await expect(page).toHaveURL(/#\/generate\/sd15-img2img\?/);
		await expect(field).toHaveValue(/^ComfyDeck-demo_\d+_\.png \[output\]$/);
		expect(uploads).toBe(0);

		// The output folder was cleaned since: the server answers the check with a 404 (a_connect).
		await control(page, { action: 'failRoute', path: '/api/view', status: 404 });
		const form = await useFirst();
		await expect(form.getByRole('status')).toHaveText(
			/^ComfyDeck-demo_\d+_\.png is no longer in the output folder of .+: the copy kept in this browser was uploaded as .+\.png\.$/
		);
		expect(uploads).toBe(1);
		await form.getByRole('button', { name: 'Open the form' }).click();
		await expect(page).toHaveURL(/#\/generate\/sd15-img2img\?/);
		await expect(field).toHaveValue(/^ComfyDeck-demo_[^[]+\.png$/);
	});
});
