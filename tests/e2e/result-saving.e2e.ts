import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

// Saving each result on this computer as it arrives. The native folder picker cannot be driven, so the page's
// showDirectoryPicker hands out a folder of the origin-private file system: a real FileSystemDirectoryHandle,
// written through Chromium's own code. Then the same run as a download.
const base = `http://127.0.0.1:${PORTS.simulatorApp}/`;
const NAME = /^[a-z0-9.-]+_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_[0-9a-f]{8}_01\.png$/;

test.beforeEach(async ({ page }) => {
	await page.request.post(`${base}__sim/control`, { data: { action: 'reset' } });
	await page.addInitScript(() => {
		Object.defineProperty(window, 'showDirectoryPicker', {
			value: async () =>
				(await navigator.storage.getDirectory()).getDirectoryHandle('Renders', { create: true })
		});
	});
});

const renders = (page: Page) =>
	page.evaluate(async () => {
		const folder = await (
			await navigator.storage.getDirectory()
		).getDirectoryHandle('Renders', { create: true });
		const files: { name: string; head: string }[] = [];
		for await (const handle of folder.values()) {
			if (handle.kind !== 'file') continue;
			// Read while the app writes: a file listed a moment ago may be gone by now (the next poll sees why).
			const file = await handle.getFile().catch((error: unknown) => {
				if (error instanceof DOMException && error.name === 'NotFoundError') return undefined;
				throw error;
			});
			if (!file) continue;
			const bytes = new Uint8Array(await file.slice(0, 4).arrayBuffer());
			files.push({
				name: handle.name,
				head: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
			});
		}
		return files;
	});

// Each run another size: the same values again would be served from the result cache, which saves nothing new.
async function generate(page: Page, width: string) {
	await page.goto(`${base}#/generate/demo-solid-color`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await page.getByLabel('Width', { exact: true }).fill(width);
	await button.click();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 20_000
	});
}

test('each result is written into the chosen folder as it arrives, then downloaded once downloads are chosen', async ({
	page
}) => {
	await page.goto(`${base}#/settings`);
	const card = page.getByRole('region', { name: 'Save results to a folder' });
	await card.getByRole('radio', { name: 'Into a folder on this computer' }).check();
	await card.getByRole('button', { name: 'Choose a folder' }).click();
	await expect(card.getByText('Saving into the folder Renders')).toBeVisible();

	await generate(page, '64');
	await expect.poll(() => renders(page)).toHaveLength(1);
	const [file] = await renders(page);
	expect(file?.name).toMatch(NAME);
	// The PNG itself, as the server made it.
	expect(file?.head).toBe('89504e47');

	await page.goto(`${base}#/settings`);
	await card.getByRole('radio', { name: /As downloads/ }).check();
	const download = page.waitForEvent('download');
	await generate(page, '72');
	expect((await download).suggestedFilename()).toMatch(NAME);
	// Downloads instead of the folder, not as well.
	expect(await renders(page)).toHaveLength(1);
});
