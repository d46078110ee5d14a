import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { drop, storedTemplateIds } from './page-helpers';

// The simulator serves the built app (same origin: "This ComfyUI" with no set-up).
const BASE = `http://127.0.0.1:${PORTS.simulatorApp}/`;
const FIXTURES = new URL('../fixtures/comfyui/images/', import.meta.url);
// Every starter the build ships (static/templates/index.json) is installed on a first visit.
const STARTERS = (
	JSON.parse(readFileSync(new URL('../../static/templates/index.json', import.meta.url), 'utf8')) as {
		templates: unknown[];
	}
).templates.length;

async function openTemplates(page: Page) {
	await page.goto(`${BASE}#/templates`);
	await expect(page.getByRole('list', { name: 'Your templates' }).getByRole('listitem')).toHaveCount(
		STARTERS
	);
}

test('starter templates appear on first start, with no failed request', async ({ page }) => {
	const failures: string[] = [];
	page.on('response', (r) => {
		if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
	});
	await openTemplates(page);
	for (const name of ['Demo: solid color (no models)', 'SD 1.5 text to image', 'SDXL text to image'])
		await expect(page.getByRole('heading', { name })).toBeVisible();
	expect(failures).toEqual([]);
});

test('a dropped ComfyUI PNG becomes a template; its form URL survives a reload; an old version is restored', async ({
	page
}) => {
	await openTemplates(page);
	await drop(page, { name: 'invert-png.png', bytes: readFileSync(new URL('invert-png.png', FIXTURES)) });
	const review = page.getByRole('region', { name: 'Review the import' });
	await expect(review.getByText(/PNG image saved by ComfyUI · 3 nodes/)).toBeVisible();
	await expect(review.getByText('Checked against the server: every node and model is there.')).toBeVisible();
	await expect(review.getByRole('heading', { name: 'Fields found (3)' })).toBeVisible();
	// Nothing is saved before the user confirms.
	expect(await storedTemplateIds(page)).not.toContain('invert-png');
	await review.getByRole('button', { name: 'Save template' }).click();

	await expect(page.getByRole('heading', { level: 1, name: 'Edit invert-png' })).toBeVisible();
	await page.getByRole('link', { name: 'Open form' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'invert-png', exact: true })).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'Width' })).toHaveValue('96');
	await page.getByRole('textbox', { name: 'Width' }).fill('200');
	await page.getByRole('textbox', { name: 'Height' }).fill('120');
	await expect(page).toHaveURL(/#\/generate\/invert-png\?width=200&height=120&batch=1$/);

	// The bookmark, opened again: the same form.
	const bookmark = page.url();
	await page.goto('about:blank');
	await page.goto(bookmark);
	await expect(page.getByRole('textbox', { name: 'Width' })).toHaveValue('200');
	await expect(page.getByRole('textbox', { name: 'Height' })).toHaveValue('120');

	// Unknown and unreadable values in a URL are reported, not dropped silently.
	await page.goto(`${BASE}#/generate/invert-png?width=abc&colour=red`);
	const issues = page.getByRole('alert').filter({ hasText: 'Some values could not be used' });
	await expect(issues.getByText(/no field "colour"/)).toBeVisible();
	await expect(issues.getByText(/Width: "abc" is not a whole number/)).toBeVisible();

	// Edit, save a version, then restore the original import.
	await page.goto(`${BASE}#/templates/invert-png`);
	await page.getByRole('textbox', { name: 'Label width' }).fill('Canvas width');
	await page.getByRole('button', { name: 'Save as a new version' }).click();
	await expect(page.getByText('Saved as version 2.')).toBeVisible();
	await page.getByRole('button', { name: 'Compare version 1' }).click();
	await expect(page.getByText('"Canvas width": label "Width" → "Canvas width".')).toBeVisible();
	await page.getByRole('button', { name: 'Restore version 1' }).click();
	await expect(page.getByText('Restored version 1 (saved as version 3).')).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'Label width' })).toHaveValue('Width');
	await page.goto(`${BASE}#/generate/invert-png`);
	await expect(page.getByRole('textbox', { name: 'Width', exact: true })).toBeVisible();
});

test('a prompt with & % # and a new line survives the URL round trip', async ({ page }) => {
	await openTemplates(page);
	await page.goto(`${BASE}#/generate/sd15-txt2img`);
	const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
	await prompt.fill('cats & dogs, 100% #fun\nsecond=line+more');
	await page.getByRole('textbox', { name: 'Steps' }).fill('31');
	// The address follows the form a moment later (written in the background): read it once it has.
	await expect(page).toHaveURL(/steps=31/);
	const url = page.url();
	await page.reload();
	await expect(prompt).toHaveValue('cats & dogs, 100% #fun\nsecond=line+more');
	await expect(page.getByRole('textbox', { name: 'Steps' })).toHaveValue('31');
	expect(page.url()).toBe(url);
});

test('a share link opens in a browser that never saw the template, and asks before saving', async ({
	page,
	browser
}) => {
	await openTemplates(page);
	await page.goto(`${BASE}#/generate/demo-solid-color`);
	await page.getByRole('button', { name: 'Share link' }).click();
	const link = await page.getByRole('textbox', { name: /Share link for/ }).inputValue();
	expect(link).toMatch(/#\/share\/v1\./);

	const fresh = await browser.newContext();
	const other = await fresh.newPage();
	await other.goto(`${BASE}#/templates`);
	await expect(other.getByRole('list', { name: 'Your templates' })).toBeVisible();
	// Make it new to this browser: remove the starter of the same id.
	const card = other.getByRole('listitem').filter({ hasText: 'Demo: solid color' });
	await card.getByRole('button', { name: /^Delete/ }).click();
	await card.getByRole('button', { name: /^Really delete/ }).click();
	await expect(other.getByRole('heading', { name: 'Demo: solid color (no models)' })).toHaveCount(0);

	await other.goto(link);
	await expect(other.getByRole('heading', { level: 1, name: 'Shared template' })).toBeVisible();
	await expect(other.getByRole('heading', { name: 'Demo: solid color (no models)' })).toBeVisible();
	expect(await storedTemplateIds(other)).not.toContain('demo-solid-color');
	await other.getByRole('button', { name: 'Save to my templates' }).click();
	await expect(
		other.getByRole('heading', { level: 1, name: 'Demo: solid color (no models)', exact: true })
	).toBeVisible();
	await expect(other.getByRole('textbox', { name: 'Width' })).toHaveValue('512');
	expect(await storedTemplateIds(other)).toContain('demo-solid-color');
	await fresh.close();
});

test('bad files each get a clear message, shown as text, and nothing is saved', async ({ page }) => {
	await openTemplates(page);
	const before = await storedTemplateIds(page);
	await page.evaluate(() => {
		(window as unknown as { pwned?: boolean }).pwned = false;
	});
	const cases: { file: Parameters<typeof drop>[1]; message: RegExp }[] = [
		{ file: { name: 'notes.json', text: 'hello, this is not JSON' }, message: /JSON|not a workflow/i },
		{
			file: { name: 'huge.json', zeros: 50 * 1024 * 1024 },
			message: /"huge\.json" is 50\.0 MB; a workflow file can be at most 10\.0 MB/
		},
		{
			file: {
				name: '<img src=x onerror="window.pwned=true">.json',
				text: '<script>window.pwned=true</script>'
			},
			message: /JSON/i
		},
		{
			file: { name: 'list.json', text: '["<b>bold</b>"]' },
			message: /This JSON is a list, not a ComfyUI workflow/
		},
		{
			file: { name: 'photo.jpg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) },
			message: /This is a JPEG image/
		}
	];
	for (const c of cases) {
		await drop(page, c.file);
		const review = page.getByRole('region', { name: 'This cannot be imported' });
		await expect(review.getByRole('alert')).toHaveText(c.message);
		await expect(review.getByText('Nothing was saved.')).toBeVisible();
		if (c.file.name.startsWith('<img')) await expect(review.getByText(`From: ${c.file.name}`)).toBeVisible();
		await review.getByRole('button', { name: 'Dismiss' }).click();
	}
	expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBe(false);
	expect(await page.locator('main img[src="x"], main script').count()).toBe(0);
	expect(await storedTemplateIds(page)).toEqual(before);
	await expect(page.getByRole('list', { name: 'Your templates' }).getByRole('listitem')).toHaveCount(
		STARTERS
	);
});
