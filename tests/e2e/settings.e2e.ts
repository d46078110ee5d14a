import { expect, test, type Page } from '@playwright/test';
import { appBase as base, openNewestRun, openTemplate } from './page-helpers';

// Settings that change what a generation keeps, against the simulator serving the app (same origin).

const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('img');

async function generateDemo(page: Page) {
	await page.goto(`${base}#/generate/demo-solid-color`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await button.click();
	await expect(results(page)).toHaveCount(1, { timeout: 20_000 });
}

/** A setting as IndexedDB holds it (the page's own database). */
function storedSetting(page: Page, key: string): Promise<unknown> {
	return page.evaluate(
		(key) =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('settings').objectStore('settings').get(key);
					request.onsuccess = () => {
						open.result.close();
						resolve(request.result);
					};
					request.onerror = () => reject(request.error);
				};
			}),
		key
	);
}

test.beforeEach(async ({ page }) => {
	await page.request.post(`${base}__sim/control`, { data: { action: 'reset' } });
});

test('initials from Settings are kept with a generation and shown in its history', async ({ page }) => {
	await page.goto(`${base}#/settings`);
	// Settings are read from IndexedDB at start: type once they are shown (the server list is part of them).
	await expect(page.getByText('Online · ComfyUI', { exact: false })).toBeVisible({ timeout: 15_000 });
	const initials = page.getByLabel('Your initials');
	await initials.fill('AB');
	await initials.press('Tab');
	await expect.poll(() => storedSetting(page, 'userInitials')).toBe('AB');
	await page.reload();
	await expect(page.getByLabel('Your initials')).toHaveValue('AB');

	await generateDemo(page);
	await openNewestRun(page);
	await expect(page.getByText(/· by AB$/)).toBeVisible();
});

test('lowering the cache size evicts cached results at once, and a bad size is refused', async ({ page }) => {
	await generateDemo(page);
	await page.goto(`${base}#/settings`);
	const storage = page.getByRole('region', { name: 'Storage' });
	await expect(storage).toContainText(/1\s+cached result,\s+\d/);

	const limit = storage.getByLabel('Largest size (MB)');
	await limit.fill('-5');
	await limit.press('Tab');
	await expect(storage.getByRole('alert')).toContainText('"-5" is not a size');
	await expect(limit).toHaveValue('500');
	await expect(storage).toContainText(/1\s+cached result,\s+\d/);

	await limit.fill('0');
	await limit.press('Tab');
	await expect(storage.getByRole('status')).toContainText(
		/^Cleared 1 cached result;.*History was not touched\.$/
	);
	await expect(storage).toContainText(/Result cache\s*Empty/);
	await page.reload();
	await expect(page.getByRole('region', { name: 'Storage' }).getByLabel('Largest size (MB)')).toHaveValue(
		'0'
	);

	// The same prompt again now runs on the server instead of coming from the cache.
	await openTemplate(page, 'demo-solid-color');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(results(page)).toHaveCount(1, { timeout: 20_000 });
	await expect(page.getByText('From cache')).toBeHidden();
});
