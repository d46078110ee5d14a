import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

const HOSTS = [
	{
		name: 'root of a no-directory-index server (like ComfyUI --front-end-root)',
		base: `http://127.0.0.1:${PORTS.staticRoot}/`
	},
	{ name: 'subpath /deck/ of a static server', base: `http://127.0.0.1:${PORTS.staticDeck}/deck/` }
];

const VIEWS = [
	{ hash: '#/', heading: 'Dashboard' },
	{ hash: '#/generate', heading: 'Generate' },
	{ hash: '#/templates', heading: 'Templates' },
	{ hash: '#/history', heading: 'History' },
	{ hash: '#/queue', heading: 'Queue' },
	{ hash: '#/models', heading: 'Models' },
	{ hash: '#/logs', heading: 'Logs' },
	{ hash: '#/settings', heading: 'Settings' }
];

/** Records every response of 400 or more, and every request that failed outright. */
function watchNetwork(page: Page) {
	const failures: string[] = [];
	page.on('response', (response) => {
		if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
	});
	page.on('requestfailed', (request) => {
		const error = request.failure()?.errorText ?? '';
		// ERR_ABORTED is a request the browser itself cancelled (a reload mid-load; and Chromium reports a completed
		// HEAD, which the same-origin ComfyUI check sends, this way): not a server failure.
		if (error === 'net::ERR_ABORTED') return;
		failures.push(`failed ${request.method()} ${request.url()}: ${error}`);
	});
	return failures;
}

for (const host of HOSTS) {
	test.describe(host.name, () => {
		for (const view of VIEWS) {
			test(`${view.hash} loads from a deep link and after a reload, with no 404`, async ({ page }) => {
				const failures = watchNetwork(page);
				await page.goto(host.base + view.hash);
				await expect(page.getByRole('heading', { level: 1, name: view.heading })).toBeVisible();
				await page.reload();
				await expect(page.getByRole('heading', { level: 1, name: view.heading })).toBeVisible();
				expect(failures).toEqual([]);
			});
		}

		test('navigation links reach every view', async ({ page }) => {
			const failures = watchNetwork(page);
			await page.goto(host.base);
			const nav = page.getByRole('navigation', { name: 'Main' });
			for (const view of VIEWS) {
				await nav.getByRole('link', { name: view.heading, exact: true }).click();
				await expect(page.getByRole('heading', { level: 1, name: view.heading })).toBeVisible();
				await expect(page).toHaveURL(new RegExp(`${view.hash.replace('/', '\\/')}$`));
			}
			expect(failures).toEqual([]);
		});
	});
}
