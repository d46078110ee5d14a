import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

// Many runs from one form, against the simulator serving the app (same origin), in test mode.
const base = `http://127.0.0.1:${PORTS.simulatorApp}/`;

async function control(page: Page, body: Record<string, unknown>) {
	const response = await page.request.post(`${base}__sim/control`, { data: body });
	expect(response.ok()).toBe(true);
}

async function openTemplate(page: Page, id: string) {
	await page.goto(`${base}#/generate/${id}`);
	await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: 15_000 });
}

const runList = (page: Page) => page.getByRole('region', { name: 'Runs' }).getByRole('listitem');

test.beforeEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

test.afterEach(async ({ page }) => {
	await control(page, { action: 'reset' });
});

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
