/**
 * Hostile input (issue 11): ≥ 50 script-injection payloads (tests/fixtures/xss-payloads.ts) through the places a
 * server's, a file's or a link's text is shown. No script may run — a dialog handler and the `window.__xss` canary
 * (a setter, so even a value put back at once is caught) — and the text must appear literally. Then prototype keys,
 * deep nesting and a 100k-node graph dropped as files: a clear message, nothing saved, the page still answering.
 */
import { expect, test, type Page } from '@playwright/test';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads';
import {
	ALL,
	base,
	control,
	expectEachLiteral,
	expectLiteral,
	normalize,
	trapScripts
} from './hostile-helpers';
import { drop, openNewestRun, storedTemplateIds, fillAndAddServer } from './page-helpers';

/** File names cannot hold path separators; the simulator replaces them, so the filename test takes a slash-free few. */
// (Nor tabs: a URL drops them, so they cannot reach the page through a link either.)
const FILENAME_SAFE = XSS_PAYLOADS.filter((p) => !/[/\\\t]/.test(p))
	.slice(0, 8)
	.join(' ');

/** The payloads joined into as few names as fit Settings' limit of 200 characters. */
function serverNames(payloads: readonly string[]): string[] {
	const names: string[] = [];
	for (const payload of payloads) {
		const last = names.at(-1);
		if (last !== undefined && `${last} ¦ ${payload}`.length <= 200)
			names[names.length - 1] = `${last} ¦ ${payload}`;
		else names.push(payload);
	}
	return names;
}

let noScriptRan: (page: Page) => Promise<void>;

test.beforeEach(async ({ page }) => {
	noScriptRan = await trapScripts(page);
	await control(page, { action: 'reset' });
});

test.afterEach(async ({ page }) => {
	await noScriptRan(page);
	await control(page, { action: 'reset' });
});

/** A fresh run of the demo template (a new width, so the server's cache does not answer it). */
async function generateDemo(page: Page) {
	await page.goto(`${base}#/generate/demo-solid-color`);
	const button = page.getByRole('button', { name: 'Generate' });
	await expect(button).toBeEnabled({ timeout: 15_000 });
	await page.getByRole('textbox', { name: 'Width' }).fill(String(64 + Math.floor(Math.random() * 400)));
	await button.click();
}

test('server texts: validation errors, execution errors and tracebacks, file names', async ({ page }) => {
	// Three generations and the history view.
	test.setTimeout(60_000);
	await control(page, { action: 'hostileText', where: 'node_errors', text: XSS_PAYLOADS.join('\n') });
	await generateDemo(page);
	const refused = page.getByRole('alert').filter({ hasText: 'img src=x' }).first();
	await expectEachLiteral(refused, XSS_PAYLOADS);

	await control(page, { action: 'hostileText', where: 'execution_error', text: ALL });
	await generateDemo(page);
	const failed = page.getByRole('alert').filter({ hasText: 'RuntimeError' }).first();
	await expectEachLiteral(failed, XSS_PAYLOADS);
	await failed.locator('summary', { hasText: 'Traceback' }).click();
	await expectLiteral(failed.locator('pre'), `File "custom_nodes/${ALL}.py"`);

	await control(page, { action: 'hostileText', where: 'filename', text: FILENAME_SAFE });
	await generateDemo(page);
	const download = page.getByRole('link', { name: /^Download / });
	await expect(download).toHaveCount(1, { timeout: 20_000 });
	// The counter is the server's (it goes on from the files already in its output folder, as ComfyUI's does).
	const name = (await download.getAttribute('download')) ?? '';
	expect(name).toMatch(/_\d{5}_\.png$/);
	expect(name.slice(0, -'_00001_.png'.length)).toBe(FILENAME_SAFE);
	await expect(download).toHaveAccessibleName(`Download ${name}`);

	// The same texts again where history shows them.
	await page.goto(`${base}#/history`);
	const cards = page.getByRole('list', { name: 'Generations' });
	await expect(cards.getByRole('link', { name: /^Open / }).first()).toBeVisible({ timeout: 15_000 });
	await cards
		.getByRole('listitem')
		.filter({ hasText: 'Failed' })
		.first()
		.getByRole('link', { name: /^Open / })
		.click();
	await expectEachLiteral(page.locator('main'), XSS_PAYLOADS);
	expect(await page.locator('main img[src="x"], main script, main iframe').count()).toBe(0);
});

test('links: URL parameters, template ids, share links and history filters', async ({ page }) => {
	const payload = XSS_PAYLOADS[1] ?? '';
	await page.goto(
		`${base}#/generate/demo-solid-color?${encodeURIComponent(payload)}=${encodeURIComponent(ALL)}`
	);
	const issues = page.getByRole('alert').filter({ hasText: 'Some values could not be used' });
	await expectLiteral(issues, `no field "${payload}"`);

	await page.goto(`${base}#/generate/${encodeURIComponent(FILENAME_SAFE)}`);
	await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
	await expectLiteral(page.locator('main'), FILENAME_SAFE);

	await page.goto(`${base}#/share/${encodeURIComponent(FILENAME_SAFE)}`);
	await expect(page.getByRole('alert').first()).toBeVisible({ timeout: 15_000 });

	await page.goto(`${base}#/history?tag=${encodeURIComponent(ALL)}&q=${encodeURIComponent(ALL)}`);
	await expect(page.getByRole('search', { name: 'Filters' })).toBeVisible({ timeout: 15_000 });
	expect(await page.locator('main img[src="x"], main script, main iframe').count()).toBe(0);
});

test('what the user types: server name and address, tags and notes', async ({ page }) => {
	await page.goto(`${base}#/settings`);
	// Every payload goes through a server name, as many to a name as fit Settings' 200 characters, each server at
	// an address of its own (Settings refuses the same server twice; `.invalid` never resolves).
	const names = serverNames(XSS_PAYLOADS);
	for (const [i, name] of names.entries()) {
		await fillAndAddServer(page, { url: `http://hostile-${i}.invalid/`, name });
		await expect(page.getByLabel(/^Name/)).toHaveValue('');
	}
	await expectEachLiteral(page.locator('main'), names);

	await page.getByLabel('Server address').fill('javascript:window.__xss=99');
	await page.getByRole('button', { name: 'Add server' }).click();
	await expect(
		page.getByText('"javascript:window.__xss=99" is not a web address.', { exact: false })
	).toBeVisible();
	expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);

	await generateDemo(page);
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('img')).toHaveCount(1, {
		timeout: 20_000
	});
	await openNewestRun(page);
	await page.getByLabel('Tags (comma-separated)').fill(XSS_PAYLOADS.slice(0, 10).join(' ¦ '));
	await page.getByRole('button', { name: 'Save tags' }).click();
	const tags = page.getByRole('list', { name: 'Tags' });
	await expect(tags.getByRole('link')).not.toHaveCount(0);
	await page.getByLabel(/^Note/).fill(ALL);
	await page.getByRole('button', { name: 'Save note' }).click();
	await page.reload();
	await expect(page.getByLabel(/^Note/)).toHaveValue(ALL, { timeout: 15_000 });
	for (const link of await tags.getByRole('link').all()) {
		const text = normalize((await link.textContent()) ?? '');
		expect(XSS_PAYLOADS.slice(0, 10).join(' ¦ ')).toContain(text);
	}
	expect(await page.locator('main img[src="x"], main script, main iframe').count()).toBe(0);
});

/** The page still runs frames and handles input. */
async function expectResponsive(page: Page) {
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(true))));
}

const demoNodes = (title: string) => ({
	'1': {
		class_type: 'EmptyImage',
		inputs: { width: 64, height: 64, batch_size: 1, color: 0 },
		_meta: { title: `deck: ${title}` }
	},
	'2': {
		class_type: 'SaveImage',
		inputs: { filename_prefix: 'x', images: ['1', 0] },
		_meta: { title }
	}
});

test('files: hostile names, titles and keys; prototype keys; deep nesting; a 100k-node graph', async ({
	page
}) => {
	await page.goto(`${base}#/templates`);
	await expect(page.getByRole('list', { name: 'Your templates' })).toBeVisible({ timeout: 15_000 });
	const before = await storedTemplateIds(page);

	// Payloads as the file name, node titles (one marked node each) and an input name, with prototype keys at
	// three levels. (`__proto__` goes in as text: in an object literal it would set the prototype, not a key.)
	const marked = Object.fromEntries(
		XSS_PAYLOADS.map((payload, i) => [String(i + 10), { ...demoNodes(payload)['1'] }])
	);
	const hostile = { ...demoNodes(ALL), ...marked, constructor: { prototype: { polluted: 1 } } };
	const text = JSON.stringify(hostile)
		.replace('"inputs":{', `"inputs":{${JSON.stringify(XSS_PAYLOADS[2])}:1,"__proto__":{"polluted":1},`)
		.replace('{"1":', '{"__proto__":{"polluted":1},"1":');
	await drop(page, { name: `${XSS_PAYLOADS[1]}.json`, text, type: 'application/json' });
	const review = page.getByRole('region', { name: 'Review the import' });
	await expect(review).toBeVisible({ timeout: 15_000 });
	await expectLiteral(review, `From: ${XSS_PAYLOADS[1]}.json`);
	// A title longer than a label may be is cut, visibly.
	await expectLiteral(review, `${ALL.slice(0, 150)}`);
	await expectEachLiteral(review, XSS_PAYLOADS);
	await expectLiteral(review, '"__proto__", "prototype", "constructor"');
	expect(await page.locator('main img[src="x"], main script, main iframe').count()).toBe(0);
	await review
		.getByRole('button', { name: /Cancel|Dismiss/ })
		.first()
		.click();

	const refusals: { name: string; text: string; message: RegExp }[] = [
		{
			name: 'deep.json',
			text: '['.repeat(100_000) + ']'.repeat(100_000),
			message: /nested more than 256 levels/
		},
		{
			name: 'huge-graph.json',
			text: JSON.stringify(
				Object.fromEntries(
					Array.from({ length: 100_000 }, (_, i) => [
						String(i + 1),
						{ class_type: 'ImageInvert', inputs: { image: [String(i), 0] } }
					])
				)
			),
			message: /100000 nodes; at most 5000 are supported/
		}
	];
	for (const refusal of refusals) {
		const started = Date.now();
		await drop(page, { ...refusal, type: 'application/json' });
		const refused = page.getByRole('region', { name: 'This cannot be imported' });
		await expect(refused.getByRole('alert')).toHaveText(refusal.message);
		test.info().annotations.push({
			type: 'message after',
			description: `${refusal.name}: ${Date.now() - started} ms`
		});
		await expect(refused.getByText('Nothing was saved.')).toBeVisible();
		await expectResponsive(page);
		await refused.getByRole('button', { name: 'Dismiss' }).click();
	}
	expect(await storedTemplateIds(page)).toEqual(before);
});
