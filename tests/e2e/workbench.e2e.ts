import { expect, test, type Page } from '@playwright/test';
import { appBase as base, control, resetSimulatorEachTest, openTemplate } from './page-helpers';

// The generate page as a workbench: the run in view beside the form, values remembered, problems caught first.

/** Reloads the app on another page, so the template is then opened by a freshly started app. */
async function freshStart(page: Page) {
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
}

resetSimulatorEachTest();

test('at 1280x800 Generate and the preview are in view beside the form, and stay there while editing', async ({
	page
}) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await openTemplate(page, 'sd15-txt2img');
	const generate = page.getByRole('button', { name: 'Generate' });
	const preview = page.getByRole('img', { name: 'Preview: nothing generated yet' });
	await expect(generate).toBeInViewport({ ratio: 1 });
	await expect(preview).toBeInViewport();

	// Editing the last field of the form (scrolled into view) keeps the run column on screen.
	await page.getByLabel('Checkpoint', { exact: true }).focus();
	await page.getByLabel('Checkpoint', { exact: true }).scrollIntoViewIfNeeded();
	expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
	await expect(generate).toBeInViewport({ ratio: 1 });

	// A fresh browser's first run uses the template's seed, and the server would answer from its cache (no steps,
	// no previews) if an earlier test ran the same prompt.
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	// Steps paced at 10 a second, so the live preview lasts long enough to be seen on a loaded machine.
	await control(page, { action: 'previewStream', fps: 10 });
	await generate.click();
	await expect(page.getByRole('img', { name: 'Live preview of the running generation' })).toBeInViewport({
		timeout: 15_000
	});
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toBeInViewport({
		timeout: 30_000
	});
});

test('on a phone the Generate bar stays at the bottom of the screen', async ({ page }) => {
	await page.setViewportSize({ width: 360, height: 780 });
	await openTemplate(page, 'sd15-txt2img');
	const generate = page.getByRole('button', { name: 'Generate' });
	await expect(generate).toBeInViewport({ ratio: 1 });
	const box = await generate.boundingBox();
	expect(box!.y).toBeGreaterThan(780 - 100);
	await page.getByLabel('Prompt', { exact: true }).focus();
	await expect(generate).toBeInViewport({ ratio: 1 });
});

test('typed values survive a visit to History and a reload; Reset goes back to the template defaults', async ({
	page
}) => {
	await openTemplate(page, 'sd15-txt2img');
	const prompt = page.getByLabel('Prompt', { exact: true });
	await prompt.fill('a red fox in the snow');
	await page.getByLabel('Steps', { exact: true }).fill('31');

	await page.getByRole('link', { name: 'History' }).first().click();
	await expect(page).toHaveURL(/#\/history/);
	await page.getByRole('link', { name: 'Generate' }).first().click();
	await page
		.getByRole('link', { name: /SD 1.5 text to image/ })
		.first()
		.click();
	await expect(prompt).toHaveValue('a red fox in the snow');
	await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('31');
	await expect(page).toHaveURL(/prompt=a\+red\+fox/);

	// A fresh start of the app, then the template opened without values in its URL.
	await freshStart(page);
	await openTemplate(page, 'sd15-txt2img');
	await expect(prompt).toHaveValue('a red fox in the snow');

	// A link naming values wins over the remembered ones.
	await freshStart(page);
	await openTemplate(page, 'sd15-txt2img?prompt=from+a+link');
	await expect(prompt).toHaveValue('from a link');

	await page.getByRole('button', { name: 'Reset to template defaults' }).click();
	await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
	await freshStart(page);
	await openTemplate(page, 'sd15-txt2img');
	await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
	await expect(prompt).not.toHaveValue('from a link');
});

test('a model the server lacks blocks Generate with the reason on its field, before anything is sent', async ({
	page
}) => {
	const posts: string[] = [];
	page.on('request', (request) => {
		if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/prompt'))
			posts.push(request.url());
	});
	await openTemplate(page, 'sd15-txt2img?checkpoint=not-here.safetensors&steps=20000');
	const checkpoint = page.getByLabel('Checkpoint', { exact: true });
	await expect(checkpoint).toHaveAccessibleDescription(/"not-here.safetensors" is not on this server/);
	await expect(page.getByLabel('Steps', { exact: true })).toHaveAccessibleDescription(
		'Must be at most 10000.'
	);
	await expect(page.getByText('2 problems to fix first')).toBeVisible();

	await page.getByRole('button', { name: 'Generate' }).click();
	await page.keyboard.press('Control+Enter');
	await expect(page.getByLabel('Steps', { exact: true })).toBeFocused();
	await page.getByLabel('Steps', { exact: true }).fill('20');
	await expect(page.getByText('1 problem to fix first')).toBeVisible();
	expect(posts).toEqual([]);

	await checkpoint.selectOption('v1-5-pruned-emaonly.safetensors');
	await expect(page.getByText(/problems? to fix first/)).toBeHidden();
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 30_000
	});
	// One POST over the whole test, counted after a real run went through: the two blocked presses sent nothing,
	// however late a request of theirs would have left (no fixed wait needed to prove it).
	expect(posts).toHaveLength(1);
});

test('reopening a template shows its last result', async ({ page }) => {
	await openTemplate(page, 'demo-solid-color');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 30_000
	});
	// The image shows from its fresh bytes before the job has ended; a panel reopened while its run is still going
	// follows that run (with its progress) instead of showing it as the template's last result.
	await expect(page.getByRole('region', { name: 'Generation' }).getByRole('status')).toHaveText('Done');
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
	await page.goto(`${base}#/generate/demo-solid-color`);
	await expect(page.getByText('Last result of this template.')).toBeVisible();
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1);
	await page.getByRole('link', { name: 'Open the run' }).click();
	await expect(page).toHaveURL(/#\/history\/[\w-]+$/);
});

test('a refusal by the server is shown once: on the field, with a short summary by Generate', async ({
	page
}) => {
	// The answer ComfyUI 0.8 gives for a value over the node's maximum (transcript f_validation_errors), for a limit
	// the form could not know (a custom node, a server-side setting).
	await page.route('**/prompt', async (route) => {
		if (route.request().method() !== 'POST') return route.fallback();
		await route.fulfill({
			status: 400,
			contentType: 'application/json',
			body: JSON.stringify({
				error: {
					type: 'prompt_outputs_failed_validation',
					message: 'Prompt outputs failed validation',
					details: '',
					extra_info: {}
				},
				node_errors: {
					'1': {
						errors: [
							{
								type: 'value_bigger_than_max',
								message: 'Value 640 bigger than max of 600',
								details: 'width',
								extra_info: { input_name: 'width', received_value: 640 }
							}
						],
						dependent_outputs: ['3'],
						class_type: 'EmptyImage'
					}
				}
			})
		});
	});
	await openTemplate(page, 'demo-solid-color?width=640');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByLabel('Width', { exact: true })).toHaveAccessibleDescription(
		'Value 640 bigger than max of 600'
	);
	await expect(
		page.getByRole('alert').filter({ hasText: 'ComfyUI refused the workflow: 1 problem' })
	).toBeVisible();
	await expect(page.getByText(/bigger than max/)).toHaveCount(1);
});
