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
		const files: { name: string; size: number }[] = [];
		for await (const handle of folder.values())
			if (handle.kind === 'file') files.push({ name: handle.name, size: (await handle.getFile()).size });
		return files;
	});

async function generate(page: Page) {
	await page.getByRole('link', { name: 'Generate', exact: true }).first().click();
	await page
		.getByRole('link', { name: /Solid colour|Solid color/i })
		.first()
		.click();
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
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
	await expect(card.getByText('Saving into the folder Renders')).toBeVisible();

	await generate(page);
	await expect.poll(() => renders(page)).toHaveLength(1);
	const [file] = await renders(page);
	expect(file?.name).toMatch(NAME);
	expect(file?.size).toBeGreaterThan(100);

	await page.goto(`${base}#/settings`);
	await card.getByRole('radio', { name: /As downloads/ }).check();
	const download = page.waitForEvent('download');
	await generate(page);
	expect((await download).suggestedFilename()).toMatch(NAME);
	// Downloads instead of the folder, not as well.
	expect(await renders(page)).toHaveLength(1);
});
