import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { storedRecords } from './page-helpers';

// A second visit with no network: the service worker gives the built app, IndexedDB the history and templates.
const comfy = `http://127.0.0.1:${PORTS.simulatorApp}/`;

const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('img');
const cards = (page: Page) =>
	page.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / });

/** Waits until the service worker has cached the app (it activates once everything is stored). */
async function appCached(page: Page) {
	await page.evaluate(async () => {
		const registration = await navigator.serviceWorker.ready;
		if (!registration.active) throw new Error('no active service worker');
	});
}

test('the app opens offline with its history and templates, and works again once online', async ({
	page,
	context
}) => {
	test.setTimeout(60_000);
	await page.goto(`${comfy}#/generate/demo-solid-color`);
	const generate = page.getByRole('button', { name: 'Generate' });
	await expect(generate).toBeEnabled({ timeout: 15_000 });
	await generate.click();
	await expect(results(page).first()).toBeVisible({ timeout: 15_000 });
	// Shown from the bytes just fetched; going offline is meant to come after they are kept, not race the write.
	await expect
		.poll(async () =>
			(await storedRecords<{ app?: { images?: { hash?: string }[] } }>(page, { store: 'jobs' })).some((job) =>
				job.app?.images?.some((image) => image.hash)
			)
		)
		.toBe(true);
	await appCached(page);

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
	await expect(cards(page).first()).toBeVisible();
	await expect(cards(page).first().locator('img')).toHaveJSProperty('complete', true);
	// The stored thumbnail decodes: the picture itself is there, not a placeholder.
	const thumbnail = cards(page).first().locator('img');
	expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

	await page.goto(`${comfy}#/generate/demo-solid-color`);
	await expect(page.getByRole('textbox', { name: 'Width' })).toBeVisible();
	// Another size: the same prompt would (rightly) be answered from the result cache even offline.
	await page.getByRole('textbox', { name: 'Width' }).fill('80');
	await generate.click();
	await expect(page.getByRole('alert').filter({ hasText: 'cannot be reached' })).toBeVisible({
		timeout: 5_000
	});

	await context.setOffline(false);
	await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: /This ComfyUI: online/ })).toBeVisible({ timeout: 10_000 });
	await page.getByRole('textbox', { name: 'Width' }).fill('72');
	await generate.click();
	await expect(results(page).first()).toBeVisible({ timeout: 15_000 });
});

test('the app opens offline under a subpath too', async ({ page, context }) => {
	const deck = `http://127.0.0.1:${PORTS.staticDeck}/deck/`;
	await page.goto(`${deck}#/templates`);
	await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeVisible();
	await appCached(page);

	await context.setOffline(true);
	await page.goto(`${deck}#/generate/demo-solid-color`);
	await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'Width' })).toBeVisible();
	await context.setOffline(false);
});
