import { expect, test, type Page } from '@playwright/test';
import { appBase as base, control, resetSimulatorEachTest, openTemplate } from './page-helpers';

// Many runs from one form, against the simulator serving the app (same origin), in test mode.

const runList = (page: Page) => page.getByRole('region', { name: 'Runs' }).getByRole('listitem');

resetSimulatorEachTest();

test('every run the form started stays listed; Cancel stops exactly that run; the list survives a reload', async ({
	page
}) => {
	await control(page, { action: 'restart' }); // empties the model cache, so the slow load happens
	await control(page, { action: 'slowModelLoad', ms: 60_000 }); // 3 s at the e2e time scale
	await openTemplate(page, 'sd15-txt2img');
	const generate = page.getByRole('button', { name: 'Generate', exact: true });
	await generate.click();
	await expect(runList(page)).toHaveCount(1);
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	await generate.click();
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	await generate.click();
	await expect(runList(page)).toHaveCount(3);

	// The newest is queued behind the others: cancelling it leaves the running and the other queued run alone.
	const queued = runList(page).filter({ hasText: 'Queued' });
	await expect(queued).toHaveCount(2, { timeout: 15_000 });
	await queued
		.first()
		.getByRole('button', { name: /^Cancel / })
		.click();
	await expect(runList(page).filter({ hasText: 'Interrupted' })).toHaveCount(1, { timeout: 15_000 });
	await expect(runList(page).filter({ hasText: 'Done' })).toHaveCount(2, { timeout: 30_000 });
	await expect(runList(page).getByRole('img')).toHaveCount(2);

	await page.reload();
	await expect(runList(page)).toHaveCount(3, { timeout: 15_000 });
	await expect(runList(page).filter({ hasText: 'Interrupted' })).toHaveCount(1);
});

test('a 2×3 grid and a batch count of 3: the totals shown, every run listed and finished, one waiting run cancelled', async ({
	page
}) => {
	test.setTimeout(120_000);
	await control(page, { action: 'restart' });
	await control(page, { action: 'slowModelLoad', ms: 60_000 }); // 3 s: the runs queue up behind the first
	await openTemplate(page, 'sd15-txt2img');
	await page.getByText('Batch and grid').click();
	const builder = page.getByRole('group', { name: 'Batch and grid' });

	const x = page.getByRole('group', { name: 'X axis (columns)' });
	await x.getByLabel('Parameter').selectOption({ label: 'Sampler' });
	await x.getByRole('checkbox', { name: 'euler', exact: true }).check();
	await x.getByRole('checkbox', { name: 'euler_ancestral', exact: true }).check();
	const y = page.getByRole('group', { name: 'Y axis (rows)' });
	await y.getByLabel('Parameter').selectOption({ label: 'CFG' });
	await y.getByLabel('From', { exact: true }).fill('5');
	await y.getByLabel('To', { exact: true }).fill('7');
	await y.getByLabel('Step', { exact: true }).fill('1');
	await expect(builder.getByRole('status')).toHaveText('6 runs: 2 Sampler × 3 CFG');
	await page.getByRole('button', { name: 'Queue 6 runs' }).click();
	await expect(runList(page)).toHaveCount(6, { timeout: 15_000 });
	await expect(runList(page).filter({ hasText: 'CFG 7 · Sampler euler_ancestral' })).toHaveCount(1);
	const grid = await builder.getByRole('link', { name: 'Open the grid' }).getAttribute('href');
	expect(grid).toMatch(/^#\/grids\/[0-9a-f-]{36}$/);

	await x.getByLabel('Parameter').selectOption({ label: 'None' });
	await y.getByLabel('Parameter').selectOption({ label: 'None' });
	await builder.getByLabel('Batch count').fill('3');
	await expect(builder.getByRole('status')).toHaveText('3 runs: 3 repeats');
	await page.getByRole('button', { name: 'Queue 3 runs' }).click();
	await expect(runList(page)).toHaveCount(9, { timeout: 15_000 });

	// The runs wait in the browser and go out a few at a time: one still waiting is cancelled, and only it goes.
	const waiting = runList(page).filter({ hasText: 'Waiting in this browser' });
	await expect(waiting.first()).toBeVisible({ timeout: 15_000 });
	const cancel = waiting.first().getByRole('button', { name: /^Cancel / });
	const name = ((await cancel.getAttribute('aria-label')) ?? '').replace(/^Cancel /, '');
	expect(name).toMatch(/^Seed \d+$/);
	await cancel.click();
	await expect(runList(page)).toHaveCount(8);
	await expect(runList(page).getByText(name, { exact: true })).toHaveCount(0);
	await expect(runList(page).filter({ hasText: 'Done' })).toHaveCount(8, { timeout: 90_000 });
	await expect(page.getByRole('region', { name: 'Runs' }).getByRole('status')).toHaveText('8 runs · 8 done');

	// The grid opens from its link: stored when it was started, every cell now with its picture.
	await page.goto(`${base}${grid}`);
	await expect(page.getByText('Complete: 6 of 6 done')).toBeVisible({ timeout: 15_000 });
});
