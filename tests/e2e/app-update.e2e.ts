import { expect, test, type Page } from '@playwright/test';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../../scripts/serve-static.js';

// A deployment of its own (a copy of build/ on a static host), so this spec can publish a new build into it.
let site = '';
let host: { url: string; close: () => Promise<void> } | undefined;

test.beforeAll(async () => {
	site = await mkdtemp(join(tmpdir(), 'deck-site-'));
	await cp('build', site, { recursive: true });
	host = await startStaticServer({ root: site });
});

test.afterAll(async () => {
	await host?.close();
	await rm(site, { recursive: true, force: true });
});

/** Publishes "a new build": the service worker with another version, as every `npm run build` makes one. */
async function deployNewBuild(): Promise<string> {
	const { version } = JSON.parse(await readFile(join(site, '_app/version.json'), 'utf8')) as {
		version: string;
	};
	const next = String(Number(version) + 1);
	const worker = await readFile(join(site, 'service-worker.js'), 'utf8');
	expect(worker).toContain(version);
	await writeFile(join(site, 'service-worker.js'), worker.replaceAll(version, next));
	await writeFile(join(site, '_app/version.json'), JSON.stringify({ version: next }));
	return next;
}

/** The service worker caches the page holds (one per build the worker keeps). */
const cacheNames = (page: Page) => page.evaluate(() => caches.keys());

test('a new build is offered as "Reload to update", and the reload runs it', async ({ page }) => {
	await page.goto(`${host!.url}#/templates`);
	await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeVisible();
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	// The first visit installs the worker; from the next load on it controls the page.
	await page.reload();
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	const [first] = await cacheNames(page);
	expect(first).toMatch(/^comfy-deck-\d+$/);
	await expect(page.getByRole('button', { name: 'Reload to update' })).toHaveCount(0);

	const next = await deployNewBuild();
	// The tab comes back to the front: the app asks whether a new build is out.
	await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
	const reload = page.getByRole('button', { name: 'Reload to update' });
	await expect(reload).toBeVisible({ timeout: 15_000 });
	await expect(
		page.getByRole('status').filter({ hasText: 'A new version of Comfy Deck is ready' })
	).toBeVisible();

	// Something the old page holds: gone once the page was really reloaded.
	await page.evaluate(() => ((window as { oldPage?: boolean }).oldPage = true));
	const navigated = page.waitForEvent('framenavigated', { timeout: 10_000 });
	await reload.click();
	await navigated;
	await page.waitForLoadState('load');
	expect(await page.evaluate(() => (window as { oldPage?: boolean }).oldPage ?? false)).toBe(false);
	await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeVisible();
	// The new build's worker took over and dropped the old build's files; nothing is offered any more.
	await expect.poll(() => cacheNames(page)).toEqual([`comfy-deck-${next}`]);
	await expect(reload).toHaveCount(0);
});
