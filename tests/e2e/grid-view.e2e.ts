import { expect, test } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { seedGrid } from './grid-helpers';

// A grid kept in IndexedDB opens with no server at all: the static build, nothing configured.
const base = `http://127.0.0.1:${PORTS.staticRoot}/`;

test('a stored grid reopens from IndexedDB alone, labelled, each cell opening its run', async ({ page }) => {
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
	await seedGrid(page, {
		id: 'grid-a',
		xs: ['5', '6.5', '8'],
		ys: ['euler', 'dpmpp_2m'],
		done: ['0,0', '1,0', '2,0', '0,1'],
		failed: ['1,1']
	});

	await page.getByRole('link', { name: 'Grids', exact: true }).click();
	const entry = page.getByRole('link', { name: 'Portrait · CFG (3) × Sampler (2)' });
	await expect(entry).toBeVisible();
	await expect(page.getByText(/4 of 6 done · 1 failed/)).toBeVisible();
	await entry.click();

	const table = page.getByRole('table', { name: 'CFG × Sampler' });
	await expect(table.getByRole('columnheader')).toHaveText(['Sampler ↓ CFG →', '5', '6.5', '8']);
	await expect(table.getByRole('rowheader')).toHaveText(['euler', 'dpmpp_2m']);
	await expect(table.getByRole('img')).toHaveCount(4);
	await expect(table.getByRole('img', { name: 'CFG 6.5 · Sampler euler' })).toBeVisible();
	await expect(table.getByRole('link', { name: /CFG 6.5 · Sampler dpmpp_2m: Failed/ })).toContainText(
		'CUDA out of memory'
	);
	await expect(table.getByText('Not run')).toHaveCount(1);
	await expect(page.getByRole('status')).toHaveText('Ended: 4 of 6 done · 1 failed · 1 not run');

	// Reload-proof, then a cell opens its run, and the run links back to its grid.
	await page.reload();
	await expect(table.getByRole('img')).toHaveCount(4);
	await table.getByRole('link', { name: 'CFG 8 · Sampler euler: open the run' }).click();
	await expect(page).toHaveURL(/#\/history\/grid-a-job-2-0$/);
	await page.getByRole('link', { name: 'Portrait · CFG (3) × Sampler (2)' }).click();
	await expect(page).toHaveURL(/#\/grids\/grid-a$/);
	await expect(table.getByRole('img')).toHaveCount(4);
});

test('an unknown grid says so', async ({ page }) => {
	await page.goto(`${base}#/grids/nothing-here`);
	await expect(page.getByRole('heading', { name: 'No such grid in this browser' })).toBeVisible();
});
