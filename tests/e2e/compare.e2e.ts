import { expect, test, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { appBase as base, resetSimulatorEachTest, openNewestRun } from './page-helpers';

// Two runs compared on the History page: their pictures side by side and under a slider, beside the parameters
// that differ, named as the form names them.

resetSimulatorEachTest();

async function generate(page: Page, color: string, width: string, n: number) {
	await page.goto(`${base}#/generate/demo-solid-color`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await page.getByLabel('Width', { exact: true }).fill(width);
	const field = page.getByLabel('Color (0xRRGGBB as a number)', { exact: true });
	await field.fill(color);
	await field.press('Tab');
	await expect(page).toHaveURL(new RegExp(`color=${color}`));
	await button.click();
	// The template's run list says when this run (the n-th) is done; the result area may still show the last one.
	await expect(page.getByRole('region', { name: 'Runs' }).getByRole('status')).toHaveText(
		`${n} ${n === 1 ? 'run' : 'runs'} · ${n} done`,
		{ timeout: 30_000 }
	);
}

/** The colour shown at a fraction of an element's width, half-way down. */
async function colourAt(element: Locator, fraction: number): Promise<[number, number, number]> {
	const png = PNG.sync.read(await element.screenshot());
	const x = Math.round((png.width - 1) * fraction);
	const i = (Math.round(png.height / 2) * png.width + x) * 4;
	return [png.data[i] ?? 0, png.data[i + 1] ?? 0, png.data[i + 2] ?? 0];
}

test('two runs side by side and under a slider, next to what differs', async ({ page }) => {
	test.setTimeout(60_000);
	await generate(page, String(0x0000ff), '64', 1);
	await generate(page, String(0xff0000), '80', 2);
	await openNewestRun(page);

	const params = page.getByRole('region', { name: 'Parameters' });
	await test.step('the parameters carry the form’s labels, not input ids', async () => {
		await expect(params.getByRole('rowheader', { name: 'Width', exact: true }).first()).toBeVisible();
		await expect(params.getByRole('rowheader', { name: 'width', exact: true })).toHaveCount(0);
		const diff = params.getByRole('table', { name: 'Difference to another run' });
		await expect(diff.getByRole('rowheader')).toHaveText(['Width', 'Color (0xRRGGBB as a number)']);
	});

	// The demo's pictures are the two colours (inverted by its workflow): whatever they are, they differ.
	let mineColour: number[] = [];
	let otherColour: number[] = [];
	await test.step('side by side: this run and the other', async () => {
		await expect(params.getByRole('button', { name: 'Side by side' })).toHaveAttribute(
			'aria-pressed',
			'true'
		);
		const mine = params.getByRole('img', { name: /^This run: / });
		const other = params.getByRole('img', { name: /^Other run: / });
		await expect(mine).toBeVisible();
		await expect(other).toBeVisible();
		mineColour = await colourAt(mine, 0.5);
		otherColour = await colourAt(other, 0.5);
		expect(mineColour).not.toEqual(otherColour);
	});

	await test.step('the slider uncovers the other run from the right, by keyboard too', async () => {
		await params.getByRole('button', { name: 'Slider' }).click();
		const frame = params.locator('.frame');
		const slider = params.getByRole('slider', { name: /Slider position/ });
		await expect(slider).toHaveValue('50');
		expect(await colourAt(frame, 0.25)).toEqual(mineColour);
		expect(await colourAt(frame, 0.75)).toEqual(otherColour);
		await slider.focus();
		await page.keyboard.press('End');
		await expect(slider).toHaveValue('100');
		expect(await colourAt(frame, 0.5)).toEqual(mineColour);
		await page.keyboard.press('Home');
		await expect(slider).toHaveValue('0');
		expect(await colourAt(frame, 0.5)).toEqual(otherColour);
		// Dragging on the picture moves the divide to the pointer.
		const box = await frame.boundingBox();
		if (!box) throw new Error('no frame');
		await page.mouse.click(box.x + box.width * 0.8, box.y + box.height / 2);
		await expect(slider).toHaveValue(/^(79|80|81)$/);
	});
});

test('History cards show the prompt, size, seed and model of each run', async ({ page }) => {
	test.setTimeout(60_000);
	await page.goto(`${base}#/generate/sd15-txt2img`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse   on a cliff');
	await page.getByLabel('Seed', { exact: true }).fill('4242');
	await page.getByLabel('Width', { exact: true }).fill('320');
	await page.getByLabel('Height', { exact: true }).fill('256');
	await button.click();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 30_000
	});
	await page.goto(`${base}#/history`);
	const card = page.getByRole('list', { name: 'Generations' }).getByRole('listitem').first();
	await expect(card).toContainText('a lighthouse on a cliff');
	await expect(card).toContainText(/320×256 · seed 4242 · v1-5-pruned-emaonly/);
});
