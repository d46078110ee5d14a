import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { appBase as base, resetSimulatorEachTest } from './page-helpers';

// The history gallery and detail view against the simulator serving the app (same origin), in test mode.

const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('img');
const filters = (page: Page) => page.getByRole('search', { name: 'Filters' });
const cards = (page: Page) =>
	page.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / });

async function generate(page: Page, templateId: string, values: Record<string, string> = {}) {
	await page.goto(`${base}#/generate/${templateId}`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	for (const [label, value] of Object.entries(values)) {
		await page.getByLabel(label, { exact: true }).fill(value);
	}
	await button.click();
	await expect(results(page)).toHaveCount(1, { timeout: 20_000 });
}

/** A failed job from long ago, written as the app stores it (the simulator has no failing starter template). */
async function seedFailedJob(page: Page) {
	await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const created = new Date(2020, 0, 15, 12, 0).getTime();
		await new Promise<void>((resolve, reject) => {
			const tx = db.transaction('jobs', 'readwrite');
			tx.objectStore('jobs').put({
				id: '00000000-0000-4000-8000-000000000001',
				serverUrl: location.origin + '/',
				workflow: { '1': { class_type: 'TestFail', inputs: { message: 'boom' } } },
				status: 'failed',
				outputs: [],
				timings: { created, started: created + 5, finished: created + 50 },
				attempts: 1,
				error: {
					kind: 'execution',
					message: 'TestFail failed',
					nodeId: '1',
					nodeType: 'TestFail',
					exceptionMessage: '<b>boom</b>',
					traceback: ['Traceback (most recent call last):\n', '  File "nodes.py", line 1\n']
				},
				serverId: 'same-origin',
				createdAt: created,
				app: { templateId: 'broken', templateName: 'Broken template' }
			});
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
		});
		db.close();
	});
}

resetSimulatorEachTest();

test('the gallery lists, filters (kept in the URL), compares, runs again, deletes and zips', async ({
	page
}) => {
	test.setTimeout(60_000);
	await generate(page, 'demo-solid-color', { Width: '64', Height: '64' });
	await generate(page, 'demo-solid-color', { Width: '96', Height: '64' });
	await generate(page, 'demo-color-scale');
	await seedFailedJob(page);

	await test.step('newest first', async () => {
		await page.goto(`${base}#/history`);
		await expect(cards(page)).toHaveCount(4);
		const names = await cards(page).evaluateAll((links) => links.map((l) => l.getAttribute('aria-label')));
		expect(names[0]).toMatch(/^Open Demo: color, invert and scale/);
		expect(names[1]).toMatch(/^Open Demo: solid color/);
		expect(names[3]).toMatch(/^Open Broken template, Failed/);
	});

	await test.step('each filter narrows the list and survives a reload', async () => {
		await filters(page)
			.getByRole('combobox', { name: 'Template' })
			.selectOption({ label: 'Demo: solid color (no models)' });
		await expect(cards(page)).toHaveCount(2);
		await expect(page).toHaveURL(/#\/history\?template=demo-solid-color$/);
		await page.reload();
		await expect(cards(page)).toHaveCount(2);
		await expect(filters(page).getByRole('combobox', { name: 'Template' })).toHaveValue('demo-solid-color');
		await page.getByRole('button', { name: 'Clear filters' }).first().click();
		await expect(cards(page)).toHaveCount(4);

		await filters(page).getByRole('combobox', { name: 'Status' }).selectOption('failed');
		await expect(cards(page)).toHaveCount(1);
		await expect(page).toHaveURL(/status=failed/);
		await filters(page).getByRole('combobox', { name: 'Status' }).selectOption('');

		await filters(page).getByRole('searchbox', { name: 'Search prompts' }).fill('96');
		await expect(cards(page)).toHaveCount(1);
		await expect(page).toHaveURL(/q=96/);
		await page.reload();
		await expect(cards(page)).toHaveCount(1);
		await expect(filters(page).getByRole('searchbox', { name: 'Search prompts' })).toHaveValue('96');
		await filters(page).getByRole('searchbox', { name: 'Search prompts' }).fill('no such words');
		await expect(page.getByRole('heading', { name: 'Nothing matches these filters' })).toBeVisible();
		await page.getByRole('button', { name: 'Clear filters' }).first().click();
		await expect(cards(page)).toHaveCount(4);

		const today = new Date();
		const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
		await filters(page).getByLabel('From', { exact: true }).fill(day);
		await expect(cards(page)).toHaveCount(3);
		await filters(page).getByLabel('From', { exact: true }).fill('');
		await filters(page).getByLabel('To', { exact: true }).fill('2020-12-31');
		await expect(cards(page)).toHaveCount(1);
		await page.getByRole('button', { name: 'Clear filters' }).first().click();
		await expect(cards(page)).toHaveCount(4);
	});

	await test.step('the failed job shows its error as text', async () => {
		await page.getByRole('link', { name: /^Open Broken template/ }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Broken template' })).toBeVisible();
		await expect(page.getByText('<b>boom</b>')).toBeVisible();
		await expect(page.getByText('Traceback', { exact: true })).toBeVisible();
		await page.goBack();
	});

	await test.step('the detail view shows parameters and the difference to another run; tags filter', async () => {
		await cards(page).nth(1).click();
		await expect(
			page.getByRole('heading', { level: 1, name: 'Demo: solid color (no models)' })
		).toBeVisible();
		const params = page.getByRole('region', { name: 'Parameters' });
		await expect(params.getByRole('row', { name: /^Width 96$/ })).toBeVisible();
		const diff = page.getByRole('table', { name: 'Difference to another run' });
		await expect(diff.getByRole('row', { name: 'Width 96 64' })).toBeVisible();
		await expect(diff.getByRole('row')).toHaveCount(2); // header + width: the height was the same

		await page.getByRole('button', { name: 'Edit and run' }).click();
		await expect(page).toHaveURL(/#\/generate\/demo-solid-color\?.*width=96/);
		await expect(page.getByLabel('Width', { exact: true })).toHaveValue('96');
		await page.goBack();
		await expect(
			page.getByRole('heading', { level: 1, name: 'Demo: solid color (no models)' })
		).toBeVisible();

		await page.getByLabel('Tags (comma-separated)').fill('keeper, blue');
		await page.getByRole('button', { name: 'Save tags' }).click();
		await expect(page.getByRole('list', { name: 'Tags' }).getByRole('link')).toHaveCount(2);
		await page.getByRole('list', { name: 'Tags' }).getByRole('link', { name: 'keeper' }).click();
		await expect(page).toHaveURL(/#\/history\?tag=keeper$/);
		await expect(cards(page)).toHaveCount(1);
		await page.reload();
		await expect(cards(page)).toHaveCount(1);
	});

	await test.step('run again records a new job and shows its result', async () => {
		await cards(page).first().click();
		await page.getByRole('button', { name: 'Run again' }).click();
		await expect(page).not.toHaveURL(/#\/history\?/);
		await expect(results(page)).toHaveCount(1, { timeout: 20_000 });
		await page.goto(`${base}#/history`);
		await expect(cards(page)).toHaveCount(5);
	});

	await test.step('delete asks first, then removes the job', async () => {
		await page.getByRole('checkbox', { name: /^Select Broken template/ }).check();
		await page.getByRole('button', { name: 'Delete…' }).click();
		await page
			.getByRole('alertdialog', { name: 'Confirm delete' })
			.getByRole('button', { name: 'Delete' })
			.click();
		await expect(cards(page)).toHaveCount(4);
		await expect(page.getByRole('link', { name: /^Open Broken template/ })).toHaveCount(0);
	});

	await test.step('a multi-selection downloads as a zip of the original PNGs', async () => {
		await page.getByRole('checkbox', { name: /^Select Demo: color, invert/ }).check();
		await page
			.getByRole('checkbox', { name: /^Select Demo: solid color/ })
			.first()
			.check();
		const downloading = page.waitForEvent('download');
		await page.getByRole('button', { name: 'Download zip' }).click();
		const download = await downloading;
		expect(download.suggestedFilename()).toMatch(/\.zip$/);
		const files = unzipSync(new Uint8Array(await readFile(await download.path())));
		const names = Object.keys(files);
		expect(names).toHaveLength(2);
		for (const name of names) {
			expect(name).toMatch(/^ComfyDeck-demo_\d+_( \(\d\))?\.png$/);
			const bytes = files[name]!;
			expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
			// ComfyUI's metadata (the prompt as a tEXt chunk) came through untouched.
			expect(Buffer.from(bytes).includes('tEXtprompt')).toBe(true);
		}
	});
});
