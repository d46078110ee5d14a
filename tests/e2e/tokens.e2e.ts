/**
 * Server tokens (issue 11): a token goes only to its own server (as a header, or in its socket's URL), never to
 * another origin, and never into a URL the app shows or shares, nor into the page's markup. Backups leave tokens
 * out unless asked (src/lib/storage/backup.test.ts).
 */
import { expect, test } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { fillAndAddServer } from './page-helpers';

const app = `http://127.0.0.1:${PORTS.simulatorApp}/`;
const tokenServer = `http://127.0.0.1:${PORTS.simulatorCors}`;
const TOKEN = 'tok-e2e-5f3a9c71';

test('a token goes only to its server, never into a URL or the markup the app shows or shares', async ({
	page
}) => {
	const carried: string[] = [];
	const leaks: string[] = [];
	page.on('request', (request) => {
		const url = request.url();
		const carries =
			url.includes(TOKEN) ||
			(request.headers()['authorization'] ?? '').includes(TOKEN) ||
			(request.postData() ?? '').includes(TOKEN);
		if (!carries) return;
		if (new URL(url).origin === tokenServer) carried.push(`${request.method()} ${new URL(url).pathname}`);
		else leaks.push(url);
	});
	page.on('websocket', (socket) => {
		const url = socket.url();
		if (url.includes(TOKEN) && new URL(url).host !== new URL(tokenServer).host) leaks.push(url);
	});

	await page.goto(`${app}#/settings`);
	await fillAndAddServer(page, { url: tokenServer, name: 'Token box', token: TOKEN });
	await expect.poll(() => carried.length, { timeout: 15_000 }).toBeGreaterThan(0);

	// Around the app, with the server known: nothing shows or links the token.
	for (const view of ['#/', '#/settings', '#/templates', '#/history', '#/queue', '#/models']) {
		await page.goto(`${app}${view}`);
		await expect(page.locator('main')).toBeVisible();
		await page.waitForTimeout(300);
		expect(page.url()).not.toContain(TOKEN);
		// Input values are properties, not attributes: the markup holds no token even while the form shows it.
		expect(await page.content()).not.toContain(TOKEN);
	}

	// A share link of a template carries the template only.
	await page.goto(`${app}#/generate/demo-solid-color`);
	await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible({ timeout: 15_000 });
	await page.getByRole('button', { name: 'Share link' }).click();
	const link = await page.getByRole('textbox', { name: /Share link for/ }).inputValue();
	expect(link).toMatch(/#\/share\//);
	expect(link).not.toContain(TOKEN);

	expect(leaks).toEqual([]);
	expect(carried.length).toBeGreaterThan(0);
});
