import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { appBase as base, resetSimulatorEachTest, openTemplate } from './page-helpers';

// Export everything from one browser and import it into a fresh one, against the simulator serving the app.
const TEMPLATE = 'demo-solid-color';
const TEMPLATE_NAME = 'Demo: solid color (no models)';

/** How many records each store of the app's IndexedDB holds (read in the page). */
function storeCounts(page: Page) {
	return page.evaluate(
		() =>
			new Promise<Record<string, number>>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const names = ['jobs', 'images', 'presets', 'templates'];
					const tx = db.transaction(names);
					const out: Record<string, number> = {};
					for (const name of names) {
						const req = tx.objectStore(name).count();
						req.onsuccess = () => (out[name] = req.result);
					}
					tx.oncomplete = () => {
						db.close();
						resolve(out);
					};
				};
			})
	);
}

/** Opens the app and waits until the starter templates are in (a fresh browser installs them on first start). */
async function openFresh(page: Page) {
	await page.goto(`${base}#/templates`);
	await expect(page.getByText(TEMPLATE_NAME).first()).toBeVisible({ timeout: 15_000 });
}

const importRow = (page: Page, region: string, kind: string) =>
	page.getByRole('region', { name: region }).getByRole('row', { name: new RegExp(`^${kind}\\b`) });

resetSimulatorEachTest();

test('export everything, import into a fresh browser, and a second import adds nothing', async ({
	page,
	browser
}) => {
	test.setTimeout(90_000);
	// One generation and one preset in the first browser.
	await openTemplate(page, `${TEMPLATE}`);
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 30_000
	});
	await page.getByLabel('New preset name').fill('Backup preset');
	await page.getByRole('button', { name: 'Save as preset' }).click();
	await expect(page.getByText('Saved preset "Backup preset".')).toBeVisible();
	await expect.poll(async () => (await storeCounts(page)).images, { timeout: 15_000 }).toBe(1);

	// Export from Settings.
	await page.goto(`${base}#/settings`);
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export everything' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^comfy-deck-backup-\d{4}-\d{2}-\d{2}\.zip$/);
	const file = test.info().outputPath(download.suggestedFilename());
	await download.saveAs(file);
	await expect(
		page.getByText(/^Saved comfy-deck-backup-.*: 1 generation, 1 image, \d+ templates, 1 preset/)
	).toBeVisible();

	// A fresh browser: nothing of the first one.
	const context = await browser.newContext();
	const fresh = await context.newPage();
	await openFresh(fresh);
	expect(await storeCounts(fresh)).toMatchObject({ jobs: 0, images: 0, presets: 0 });
	await fresh.goto(`${base}#/settings`);
	await fresh.getByLabel('Choose a backup file…').setInputFiles(file);
	const review = fresh.getByRole('region', { name: 'Import review' });
	await expect(review).toBeVisible();
	await expect(importRow(fresh, 'Import review', 'Generations')).toHaveText(/Generations\s*1\s*0\s*0/);
	// Asking first: nothing written yet.
	expect((await storeCounts(fresh)).jobs).toBe(0);
	await review.getByRole('button', { name: 'Import' }).click();
	const summary = fresh.getByRole('region', { name: 'Import summary' });
	await expect(summary.getByRole('status')).toHaveText(/1 new generation, 0 already present/);
	await expect(importRow(fresh, 'Import summary', 'Presets')).toHaveText(/Presets\s*1\s*0\s*0/);
	expect(await storeCounts(fresh)).toMatchObject({ jobs: 1, images: 1, presets: 1 });

	// The generation shows with its image from IndexedDB; the template and its preset are there.
	await fresh.goto(base);
	const thumb = fresh.getByRole('img', { name: `Result of ${TEMPLATE_NAME}` });
	await expect(thumb).toBeVisible({ timeout: 15_000 });
	await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
	// Its history page, with the original image from IndexedDB.
	const jobId = await fresh.evaluate(
		() =>
			new Promise<string>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const req = open.result.transaction('jobs').objectStore('jobs').getAllKeys();
					req.onsuccess = () => {
						open.result.close();
						resolve(String(req.result[0]));
					};
				};
			})
	);
	await fresh.goto(`${base}#/history/${jobId}`);
	const image = fresh.getByRole('list', { name: 'Results' }).getByRole('img');
	await expect(image).toHaveCount(1, { timeout: 15_000 });
	await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
	await fresh.goto(`${base}#/generate/${TEMPLATE}`);
	await expect(fresh.getByRole('heading', { level: 1, name: TEMPLATE_NAME })).toBeVisible({
		timeout: 15_000
	});
	await expect(
		fresh.getByLabel('Preset', { exact: true }).getByRole('option', { name: 'Backup preset' })
	).toHaveCount(1);

	// The same file again: everything already present, no duplicates.
	await fresh.goto(`${base}#/settings`);
	await fresh.getByLabel('Choose a backup file…').setInputFiles(file);
	await expect(importRow(fresh, 'Import review', 'Generations')).toHaveText(/Generations\s*0\s*1\s*0/);
	await expect(importRow(fresh, 'Import review', 'Templates')).toHaveText(/Templates\s*0\s*\d+\s*0/);
	await fresh.getByRole('region', { name: 'Import review' }).getByRole('button', { name: 'Import' }).click();
	await expect(fresh.getByRole('region', { name: 'Import summary' }).getByRole('status')).toHaveText(
		/0 new generations, 1 already present/
	);
	expect(await storeCounts(fresh)).toMatchObject({ jobs: 1, images: 1, presets: 1 });
	await context.close();
});

test('a PNG renamed .zip is refused with a clear message, and nothing is written', async ({ page }) => {
	await openFresh(page);
	const before = await storeCounts(page);
	const file = test.info().outputPath('not-a-backup.zip');
	writeFileSync(file, readFileSync('tests/fixtures/comfyui/images/invert-png.png'));

	await page.goto(`${base}#/settings`);
	await page.getByLabel('Choose a backup file…').setInputFiles(file);
	await expect(page.getByRole('alert')).toHaveText(
		/This file is not a Comfy Deck backup: it is a PNG image\..*Nothing was imported\./
	);
	await expect(page.getByRole('region', { name: 'Import review' })).toHaveCount(0);
	expect(await storeCounts(page)).toEqual(before);
});
