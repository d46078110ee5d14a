import { expect, test, type Page } from '@playwright/test';
import { formatBytes } from '../../src/lib/util/units';
import { appBase as base, putStoredRecord } from './page-helpers';

// The simulator serving the built app (same origin, like ComfyUI --front-end-root): used with no set-up.

interface Stats {
	system: {
		comfyui_version: string;
		python_version: string;
		pytorch_version: string;
		os: string;
		ram_total: number;
	};
	devices: { name: string }[];
}

const isStatsRequest = (url: string) => new URL(url).pathname === '/api/system_stats';

async function openDashboard(page: Page) {
	await page.goto(`${base}#/`);
	const card = page.getByRole('article', { name: 'This ComfyUI' });
	await expect(card.getByText('Online')).toBeVisible();
	return card;
}

test('the dashboard shows the server’s stats and keeps them updated', async ({ page, request }) => {
	const stats = (await (await request.get(`${base}api/system_stats`)).json()) as Stats;
	const card = await openDashboard(page);

	const fact = (name: string) => card.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('+ dd');
	await expect(fact('ComfyUI')).toHaveText(stats.system.comfyui_version);
	await expect(fact('Python')).toHaveText(stats.system.python_version.split(' ')[0] ?? '');
	await expect(fact('PyTorch')).toHaveText(stats.system.pytorch_version);
	await expect(fact('OS')).toHaveText(stats.system.os);
	await expect(fact('Queue')).toHaveText('0 prompts');
	await expect(card.getByRole('meter', { name: 'RAM' })).toHaveAttribute(
		'aria-valuetext',
		new RegExp(`of ${formatBytes(stats.system.ram_total).replace('.', '\\.')}$`)
	);
	for (const device of stats.devices)
		await expect(card.getByText(device.name, { exact: true })).toBeVisible();
	for (const chart of [/^(VRAM|Device memory)/, /^RAM$/, /^Queue$/]) {
		await expect(card.getByRole('figure', { name: chart }).locator('canvas').first()).toBeVisible();
	}

	// New samples arrive every few seconds while the page is visible.
	const first = await fact('Updated').textContent();
	await page.waitForRequest((r) => isStatsRequest(r.url()), { timeout: 10_000 });
	await expect(fact('Updated')).not.toHaveText(first ?? '', { timeout: 10_000 });
});

test('sampling stops while the tab is hidden and resumes when it is shown', async ({ page }) => {
	await openDashboard(page);
	let requests = 0;
	page.on('request', (r) => {
		if (isStatsRequest(r.url())) requests++;
	});
	const setVisibility = (state: 'hidden' | 'visible') =>
		page.evaluate((s) => {
			Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
			document.dispatchEvent(new Event('visibilitychange'));
		}, state);

	await setVisibility('hidden');
	await expect(page.getByText('Paused while the tab is hidden')).toBeVisible();
	requests = 0;
	await page.waitForTimeout(4000);
	expect(requests).toBe(0);

	const resumed = page.waitForRequest((r) => isStatsRequest(r.url()), { timeout: 2000 });
	await setVisibility('visible');
	await resumed;
	await expect(page.getByText(/Live · every \d+ s/)).toBeVisible();
});

test('models are listed by folder, searchable, with embeddings', async ({ page }) => {
	await page.goto(`${base}#/models`);
	const checkpoints = page.getByRole('region', { name: 'Checkpoints' });
	await expect(checkpoints.getByText('v1-5-pruned-emaonly.safetensors', { exact: true })).toBeVisible();
	await expect(
		page
			.getByRole('region', { name: 'LoRAs', exact: true })
			.getByText('add_detail.safetensors', { exact: true })
	).toBeVisible();
	// Each folder once: embeddings and LoRAs are not listed a second time beside the memory chart.
	const embeddings = page.getByRole('region', { name: /^Embeddings/ });
	await expect(embeddings).toHaveCount(1);
	await expect(embeddings.getByText('easynegative.safetensors', { exact: true })).toBeVisible();
	await expect(embeddings.getByText('embedding:name')).toBeVisible();
	await expect(page.getByRole('region', { name: /^LoRAs/ })).toHaveCount(1);

	await page.getByPlaceholder('Search models by name or folder').fill('pixel');
	await expect(page.getByText('pixel-art-xl.safetensors', { exact: true }).last()).toBeVisible();
	await expect(page.getByRole('region', { name: 'Checkpoints' })).toHaveCount(0);
	await page.getByPlaceholder('Search models by name or folder').fill('nothing-like-this');
	await expect(page.getByRole('heading', { name: 'No model matches' })).toBeVisible();
});

test('free memory is sent to the server and the memory chart is sampled again at once', async ({ page }) => {
	await page.goto(`${base}#/models`);
	await expect(
		page
			.getByRole('figure', { name: /^(VRAM|Device memory)/ })
			.locator('canvas')
			.first()
	).toBeVisible();

	const free = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/free' && r.method() === 'POST');
	// Sampled again right after the server answered, not at the next 3 s tick. Requests come in order, so the
	// check that follows the free request is caught however fast it follows.
	let answeredAt = 0;
	page.on('requestfinished', (r) => {
		if (new URL(r.url()).pathname === '/api/free') answeredAt ||= Date.now();
	});
	let freeSent = false;
	let resampledAt = 0;
	const resampled = page.waitForRequest((r) => {
		if (new URL(r.url()).pathname === '/api/free') freeSent = true;
		if (!freeSent || !isStatsRequest(r.url())) return false;
		resampledAt = Date.now();
		return true;
	});
	await page.getByRole('button', { name: /^Free memory/ }).click();
	expect((await free).postDataJSON()).toEqual({ unload_models: true, free_memory: true });
	await resampled;
	await expect.poll(() => answeredAt).toBeGreaterThan(0);
	expect(resampledAt - answeredAt).toBeLessThan(1000);
	await expect(page.getByRole('status').filter({ hasText: 'unload models and free memory' })).toBeVisible();

	const unload = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/free');
	await page.getByRole('button', { name: /^Unload models/ }).click();
	expect((await unload).postDataJSON()).toEqual({ unload_models: true, free_memory: false });
});

test('a template’s model is shown as used and can be changed from Models', async ({ page }) => {
	await page.goto(`${base}#/models`);
	await expect(page.getByText('v1-5-pruned-emaonly.safetensors', { exact: true })).toBeVisible();
	// A stored template as the template core writes it (zTemplate).
	await putStoredRecord(page, {
		store: 'templates',
		value: {
			version: 1,
			id: 'e2e-portrait',
			name: 'E2E Portrait',
			api: {
				'4': {
					class_type: 'CheckpointLoaderSimple',
					inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' }
				}
			},
			parameters: [
				{
					id: 'checkpoint',
					label: 'Checkpoint',
					kind: 'COMBO',
					group: 'Model',
					targets: [{ nodeId: '4', input: 'ckpt_name' }],
					default: 'sd_xl_base_1.0.safetensors',
					required: true,
					hidden: false
				}
			],
			createdAt: 1,
			updatedAt: 1
		}
	});
	await page.reload();
	const checkpoints = page.getByRole('region', { name: 'Checkpoints' });
	const base1 = checkpoints.getByRole('listitem').filter({ hasText: 'sd_xl_base_1.0.safetensors' });
	await expect(base1.getByRole('link', { name: 'E2E Portrait' })).toBeVisible();

	const v15 = checkpoints.getByRole('listitem').filter({ hasText: 'v1-5-pruned-emaonly.safetensors' });
	await v15.getByRole('button', { name: /Use in template/ }).click();
	await v15.getByRole('combobox').selectOption({ label: 'E2E Portrait · Checkpoint' });
	await v15.getByRole('button', { name: 'Set model' }).click();
	await expect(page.getByRole('status')).toContainText(
		'“E2E Portrait” now uses v1-5-pruned-emaonly.safetensors'
	);
	await expect(v15.getByRole('link', { name: 'E2E Portrait' })).toBeVisible();
	await expect(base1.getByRole('link', { name: 'E2E Portrait' })).toHaveCount(0);
});

test('logs can be recorded at debug, filtered, searched and downloaded', async ({ page }) => {
	await page.goto(`${base}#/logs`);
	// Settings are loaded by then (a choice made earlier would be replaced by the stored one).
	await expect(page.getByRole('link', { name: /This ComfyUI: online/ })).toBeVisible();
	await page.getByLabel('Record').selectOption('debug');
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
	await page.waitForRequest((r) => isStatsRequest(r.url()));
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' }).click();

	const list = page.getByRole('region', { name: 'Log entries, newest first' });
	await expect(list.getByText(/system_stats/).first()).toBeVisible();
	await page.getByLabel('Search').fill('no entry says this');
	await expect(page.getByRole('heading', { name: 'Nothing matches' })).toBeVisible();
	await page.getByLabel('Search').fill('system_stats');
	await expect(list.getByText(/system_stats/).first()).toBeVisible();

	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download' }).click();
	expect((await download).suggestedFilename()).toMatch(/^comfy-deck-log-.+\.txt$/);

	await page.getByLabel('Show').selectOption('error');
	await expect(page.getByRole('heading', { name: 'Nothing matches' })).toBeVisible();
});
