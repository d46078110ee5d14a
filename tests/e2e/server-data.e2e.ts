import { expect, test, type Page } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { fillAndAddServer, storedRecords } from './page-helpers';

// The app from a plain static host, so the only server is the one added here (no same-origin ComfyUI).
const app = `http://127.0.0.1:${PORTS.staticRoot}/`;
// A checkpoint only this server has: a form can list it only from what the server said.
const MODEL = 'only-on-studio-box.safetensors';

let modelsDir = '';
let sim: RunningSimulator | undefined;

test.beforeAll(async () => {
	modelsDir = await mkdtemp(join(tmpdir(), 'deck-models-'));
	await mkdir(join(modelsDir, 'checkpoints'));
	await writeFile(join(modelsDir, 'checkpoints', MODEL), 'not really a model');
	sim = await startSimulator({ port: 0, quiet: true, cors: '*', modelsDir });
});

test.afterAll(async () => {
	await sim?.close();
	await rm(modelsDir, { recursive: true, force: true });
});

/** The kinds of server data IndexedDB holds for the page (object_info, models, features). */
const storedKinds = async (page: Page) =>
	(await storedRecords<{ kind: string }>(page, { store: 'serverData' })).map((r) => r.kind);

test('the generate form opens with the server stopped, with the lists it gave on the last visit', async ({
	page
}) => {
	await page.goto(`${app}#/settings`);
	await fillAndAddServer(page, { url: sim!.url, name: 'Studio box' });
	await expect(page.getByRole('link', { name: /Studio box: online/ })).toBeVisible({ timeout: 10_000 });

	await page.goto(`${app}#/generate/sd15-txt2img`);
	const checkpoint = page.getByRole('combobox', { name: 'Checkpoint' });
	await expect(checkpoint.locator('option', { hasText: MODEL })).toHaveCount(1, { timeout: 10_000 });
	await expect.poll(() => storedKinds(page)).toContain('object_info');

	await sim!.close();
	sim = undefined;
	let objectInfoAsked = 0;
	page.on('request', (r) => {
		if (r.url().endsWith('/api/object_info')) objectInfoAsked++;
	});
	await page.reload();
	await expect(page.getByRole('link', { name: /Studio box: offline/ })).toBeVisible({ timeout: 10_000 });
	await expect(page.getByRole('heading', { level: 1, name: 'SD 1.5 text to image' })).toBeVisible();
	await expect(checkpoint.locator('option', { hasText: MODEL })).toHaveCount(1);
	// Read from IndexedDB: the stopped server was not even asked.
	expect(objectInfoAsked).toBe(0);

	// The template editor opens from the same answer: adding a field needs the node definitions.
	await page.goto(`${app}#/templates/sd15-txt2img`);
	await expect(page.getByRole('heading', { level: 1, name: 'Edit SD 1.5 text to image' })).toBeVisible();
	const addField = page.getByRole('combobox', { name: 'Add a field for another input' });
	await expect(addField).toBeEnabled();
	await expect.poll(() => addField.locator('option').count()).toBeGreaterThan(1);
	await expect(page.getByText(/could not be read/)).toHaveCount(0);
	expect(objectInfoAsked).toBe(0);
});
