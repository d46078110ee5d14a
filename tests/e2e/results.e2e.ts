import { expect, test, type Page } from '@playwright/test';
import { appBase as base, resetSimulatorEachTest } from './page-helpers';

// Results as things to keep and look at: a style label per run, filterable in History.

const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('img');
const cards = (page: Page) =>
	page.getByRole('list', { name: 'Generations' }).getByRole('link', { name: /^Open / });

async function generate(page: Page, options: { width: string; style?: string }) {
	await page.goto(`${base}#/generate/demo-solid-color`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await page.getByLabel('Width', { exact: true }).fill(options.width);
	if (options.style !== undefined) await page.getByRole('combobox', { name: /^Style/ }).fill(options.style);
	await button.click();
	await expect(results(page)).toHaveCount(1, { timeout: 20_000 });
}

resetSimulatorEachTest();

test('a style label is kept with each run, offered again on the form and filters History', async ({
	page
}) => {
	test.setTimeout(60_000);
	await generate(page, { width: '64', style: '  ink   wash ' });
	await generate(page, { width: '80', style: 'watercolour' });
	await generate(page, { width: '96', style: '' });

	await test.step('the form starts with the last label and offers every earlier one', async () => {
		await page.reload();
		const style = page.getByRole('combobox', { name: /^Style/ });
		await expect(style).toHaveValue('watercolour');
		const offered = await page
			.locator(`datalist#${await style.getAttribute('list')} option`)
			.evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
		expect(offered).toEqual(['watercolour', 'ink wash']);
	});

	await test.step('History filters by style, in the URL, and the card shows it', async () => {
		await page.goto(`${base}#/history`);
		await expect(cards(page)).toHaveCount(3);
		const filter = page.getByRole('search', { name: 'Filters' }).getByRole('combobox', { name: 'Style' });
		await expect(filter.getByRole('option')).toHaveText(['Any style', 'ink wash', 'watercolour']);
		await filter.selectOption('ink wash');
		await expect(cards(page)).toHaveCount(1);
		await expect(page).toHaveURL(/style=ink\+wash/);
		await page.reload();
		await expect(cards(page)).toHaveCount(1);
		const card = page.getByRole('list', { name: 'Generations' }).getByRole('listitem');
		await expect(card.getByText('ink wash', { exact: true })).toBeVisible();
		await cards(page).click();
		await expect(page.getByText(/style: ink wash/)).toBeVisible();
	});
});
