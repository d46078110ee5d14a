import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

// A `?server=` link (what `npm start` prints with COMFYUI_URL) only asks: the linked server is neither saved nor
// contacted before the user presses Add.
const linked = `http://127.0.0.1:${PORTS.simulatorCors}`;
const link = `http://127.0.0.1:${PORTS.staticRoot}/?server=${encodeURIComponent(linked)}#/settings`;

/** Every request the page sends to the linked simulator's port, counted from the start. */
function countRequestsToLinked(p: Page) {
	const seen: string[] = [];
	p.on('request', (request) => {
		if (new URL(request.url()).port === String(PORTS.simulatorCors)) seen.push(request.url());
	});
	return seen;
}

const prompt = (p: Page) => p.getByRole('region', { name: 'Add the server this link names?' });
const serverList = (p: Page) => p.getByRole('region', { name: 'ComfyUI servers' });

test('a server link asks first and contacts the server only after Add', async ({ page: p }) => {
	const seen = countRequestsToLinked(p);
	await p.goto(link);
	await expect(prompt(p).getByText(`${linked}/`)).toBeVisible();
	await p.waitForLoadState('networkidle');
	expect(seen).toEqual([]);
	await expect(serverList(p).getByText(`${linked}/`)).toHaveCount(0);

	await prompt(p).getByRole('button', { name: 'Add', exact: true }).click();
	await expect(prompt(p)).toHaveCount(0);
	await expect(p.getByRole('link', { name: `127.0.0.1:${PORTS.simulatorCors}: online` })).toBeVisible();
	expect(seen.length).toBeGreaterThan(0);
	expect(new URL(p.url()).search).toBe('');
});

test('Not now adds nothing, contacts nothing, and does not ask again after a reload', async ({ page: p }) => {
	const seen = countRequestsToLinked(p);
	await p.goto(link);
	await prompt(p).getByRole('button', { name: 'Not now' }).click();
	await expect(prompt(p)).toHaveCount(0);
	expect(new URL(p.url()).search).toBe('');
	expect(new URL(p.url()).hash).toBe('#/settings');

	await p.reload();
	await expect(p.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
	await p.waitForLoadState('networkidle');
	await expect(prompt(p)).toHaveCount(0);
	await expect(serverList(p).getByText(`${linked}/`)).toHaveCount(0);
	expect(seen).toEqual([]);
});
