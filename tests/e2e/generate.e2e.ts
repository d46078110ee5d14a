import { expect, test, type Page } from '@playwright/test';
import { control, resetSimulatorEachTest, openTemplate } from './page-helpers';

// Generation against the simulator serving the app (same origin, like ComfyUI --front-end-root), in test mode.

const panel = (page: Page) => page.getByRole('region', { name: 'Generation' });
const status = (page: Page) => panel(page).getByRole('status');
const results = (page: Page) => page.getByRole('list', { name: 'Results' }).getByRole('img');

resetSimulatorEachTest();

test('a generation shows queue state, step progress, live previews and the final image', async ({ page }) => {
	// Steps paced at 10 a second: at the e2e time scale a step takes 1 ms, and on a loaded machine the whole
	// sampling could pass between two of Playwright's polls, so the step text was never seen (a CI failure).
	await control(page, { action: 'previewStream', fps: 10 });
	await openTemplate(page, 'sd15-txt2img');
	// A fresh browser's first run uses the template's seed, and the server would answer from its cache (no steps,
	// no previews) if an earlier test ran the same prompt.
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	await page.getByRole('button', { name: 'Generate' }).click();

	await expect(page.getByRole('progressbar', { name: 'Overall progress' })).toBeVisible();
	await expect(page.getByText(/^step \d+ of \d+$/)).toBeVisible({ timeout: 15_000 });
	await expect(page.getByRole('img', { name: 'Live preview of the running generation' })).toBeVisible();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
	await expect(status(page)).toHaveText('Done');
	const download = page.getByRole('link', { name: /^Download .+\.png$/ });
	await expect(download).toHaveAttribute('href', /^blob:/);
});

test('Ctrl+Enter generates, and an identical prompt is answered from the cache, with Run anyway', async ({
	page
}) => {
	await openTemplate(page, 'demo-solid-color');
	await page.keyboard.press('Control+Enter');
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });

	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(page.getByText('From cache')).toBeVisible();
	await expect(results(page)).toHaveCount(1);

	await page.getByRole('button', { name: 'Run anyway' }).click();
	await expect(page.getByText('From cache')).toBeHidden();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
});

test('a reload mid-run still ends with the result on the same page', async ({ page }) => {
	await control(page, { action: 'restart' }); // empties the model cache, so the slow load happens
	await control(page, { action: 'slowModelLoad', ms: 60_000 }); // 3 s at the e2e time scale
	await openTemplate(page, 'sd15-txt2img');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(status(page)).toHaveText(/Running|Queued/, { timeout: 15_000 });

	await page.reload();
	await expect(status(page)).toBeVisible({ timeout: 15_000 });
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
});

test('a reload while the prompt is being sent finds the run again, and it runs once', async ({ page }) => {
	await openTemplate(page, 'demo-solid-color');
	await page.getByLabel('Color (0xRRGGBB as a number)', { exact: true }).fill('4242');
	// The POST reaches the server, but the page reloads before its answer: the run was noted before it left. The
	// route stays (unrouting would let the held request go out again, a second POST the app never made).
	let reached = (_id: string) => {};
	const atServer = new Promise<string>((resolve) => (reached = resolve));
	await page.route('**/api/prompt', async (route) => {
		if (route.request().method() !== 'POST') return route.fallback();
		await route.fetch();
		reached(String((route.request().postDataJSON() as { prompt_id?: string }).prompt_id));
	});
	await page.getByRole('button', { name: 'Generate' }).click();
	const id = await atServer;
	await page.reload();

	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
	await expect(page.getByRole('region', { name: 'Runs' }).getByRole('status')).toHaveText('1 run · 1 done');
	const { runs: ran } = (await control(page, { action: 'runs' })) as {
		runs: { promptId: string; outcome: string }[];
	};
	expect(ran.filter((r) => r.promptId === id).map((r) => r.outcome)).toEqual(['success']);
});

test('the socket dropped mid-run does not lose the result', async ({ page }) => {
	let sockets = 0;
	page.on('websocket', () => sockets++);
	await openTemplate(page, 'sd15-txt2img');
	// A new seed, so the server really runs the sampler (an identical prompt would finish from its cache at once).
	await page.getByRole('button', { name: 'Randomize Seed' }).click();
	await control(page, { action: 'dropSockets', frames: 12, times: 2 });
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
	await expect(status(page)).toHaveText('Done');
	expect(sockets).toBeGreaterThanOrEqual(3); // the first socket and one per drop
});

test('a prompt the server answers entirely from its cache still shows its image', async ({ page }) => {
	await openTemplate(page, 'demo-solid-color');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
	// Same prompt again, past the app's own cache: the server answers with every node cached.
	await page.getByRole('button', { name: 'Generate' }).click();
	await page.getByRole('button', { name: 'Run anyway' }).click();
	await expect(panel(page).getByText(/\((\d+) cached\)/)).toBeVisible({ timeout: 30_000 });
	await expect(results(page)).toHaveCount(1);
	await expect(status(page)).toHaveText('Done');
});

test('a server restart mid-queue marks the job lost and offers Run again, which works', async ({ page }) => {
	await control(page, { action: 'restart' }); // empties the model cache, so the slow load happens
	await control(page, { action: 'slowModelLoad', ms: 200_000 }); // 10 s at the e2e time scale
	await openTemplate(page, 'sd15-txt2img');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(status(page)).toHaveText(/Running|Queued/, { timeout: 15_000 });

	await control(page, { action: 'restart' });
	await expect(status(page)).toHaveText('Lost by the server', { timeout: 30_000 });
	await control(page, { action: 'reset' });
	await page.getByRole('button', { name: 'Run again' }).click();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });
});

test('a job being sent while its server misses one check ends with its image, not lost', async ({ page }) => {
	// The page's clock flows as usual, and jumps to the next 30 s check when told.
	await page.clock.install();
	await openTemplate(page, 'demo-solid-color');
	await control(page, { action: 'slowRoute', path: '/prompt', ms: 80_000 }); // its POST takes 4 s
	await control(page, { action: 'failRoute', path: '/system_stats', status: 500 });
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(status(page)).toHaveText('Sending…');
	// The server's next check is due meanwhile, and fails.
	await page.clock.fastForward(30_000);
	await expect(page.getByRole('link', { name: /This ComfyUI: offline/ })).toBeVisible();
	await expect(page.getByRole('link', { name: /This ComfyUI: online/ })).toBeVisible({ timeout: 10_000 });
	await expect(status(page)).toHaveText('Done', { timeout: 20_000 });
	await expect(results(page)).toHaveCount(1);
});

test('a result can be sent to an img2img template as its input image', async ({ page }) => {
	await openTemplate(page, 'demo-solid-color');
	await page.getByRole('button', { name: 'Generate' }).click();
	await expect(results(page)).toHaveCount(1, { timeout: 30_000 });

	await page.getByRole('button', { name: /^Use as input / }).click();
	await page.getByLabel(/as the input image of/).selectOption({ label: 'SD 1.5 image to image' });
	await page.getByRole('button', { name: 'Open with this image' }).click();

	await expect(page).toHaveURL(/#\/generate\/sd15-img2img\?.*ComfyDeck-demo_\d+_\.png/);
	await expect(page.getByRole('heading', { level: 1, name: 'SD 1.5 image to image' })).toBeVisible();
});
