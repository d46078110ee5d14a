import { expect, test } from '@playwright/test';
import { PORTS } from '../../playwright.config';
import { fillAndAddServer } from './page-helpers';

// What a user sees when connecting from a page on another origin (the static host), for each way it can fail.
const page = `http://127.0.0.1:${PORTS.staticRoot}/#/settings`;

/** The server's row in Settings (the header's connection badges are list items too). */
function serverRow(p: import('@playwright/test').Page, name: string) {
	return p.getByRole('region', { name: 'ComfyUI servers' }).getByRole('listitem').filter({ hasText: name });
}

async function addServer(p: import('@playwright/test').Page, address: string, name: string) {
	await p.goto(page);
	await fillAndAddServer(p, { url: address, name });
	return serverRow(p, name);
}

test('a ComfyUI serving the page is used with no set-up', async ({ page: p }) => {
	await p.goto(`http://127.0.0.1:${PORTS.simulatorApp}/#/`);
	const card = p.getByRole('article', { name: 'This ComfyUI' });
	await expect(card.getByText('Online')).toBeVisible();
	await expect(card.getByText(/^0\.\d+/)).toBeVisible();
});

test('a server started with --enable-cors-header is online from another origin', async ({ page: p }) => {
	const row = await addServer(p, `http://127.0.0.1:${PORTS.simulatorCors}`, 'Cors box');
	await expect(row.getByText(/Online · ComfyUI/)).toBeVisible();
	await expect(p.getByRole('link', { name: /Cors box: online/ })).toBeVisible();

	// The same server spelled another way is refused, naming the entry it already has; what was typed stays.
	await fillAndAddServer(p, { url: `HTTP://127.0.0.1:${PORTS.simulatorCors}/`, name: 'Cors again' });
	await expect(p.getByText(/This server is already in the list, as "Cors box"/)).toBeVisible();
	await expect(p.getByLabel('Server address')).toHaveValue(`HTTP://127.0.0.1:${PORTS.simulatorCors}/`);
	await expect(serverRow(p, 'Cors again')).toHaveCount(0);
});

test('a server without CORS headers is explained, with the flag to add', async ({ page: p }) => {
	const row = await addServer(p, `http://127.0.0.1:${PORTS.simulatorNoCors}`, 'No cors box');
	await expect(row.getByText('Offline')).toBeVisible();
	await expect(row.getByText(/does not let http:\/\/127\.0\.0\.1:\d+ read its answers/)).toBeVisible();
	await expect(row.getByText(/--enable-cors-header http:\/\/127\.0\.0\.1:\d+/)).toBeVisible();
});

test('a loopback server refusing the page by its Origin check is explained as a 403', async ({ page: p }) => {
	const row = await addServer(p, `http://localhost:${PORTS.simulatorNoCors}`, 'Origin box');
	await expect(row.getByText(/answered 403 because its Origin check refused/)).toBeVisible();
	await expect(row.getByText(/--front-end-root/)).toBeVisible();
});

test('a wrong port says nothing answered and keeps the server for a later check', async ({ page: p }) => {
	const row = await addServer(p, 'http://127.0.0.1:65534', 'Nothing here');
	await expect(row.getByText(/Cannot reach http:\/\/127\.0\.0\.1:65534\//)).toBeVisible();
	await p.reload();
	await expect(serverRow(p, 'Nothing here')).toBeVisible();
});

test('a port browsers refuse is refused in the form, saying why', async ({ page: p }) => {
	await addServer(p, 'http://127.0.0.1:6000', 'X11 port');
	await expect(p.getByText(/Browsers refuse to connect to port 6000 \(ERR_UNSAFE_PORT/)).toBeVisible();
	await expect(serverRow(p, 'X11 port')).toHaveCount(0);
});

test('a web server that is not ComfyUI is told apart from a CORS problem where its answer can be read', async ({
	page: p
}) => {
	// The static host serving this page answers /api/system_stats with a 404 page: same origin, so readable.
	const row = await addServer(p, `http://127.0.0.1:${PORTS.staticRoot}/`, 'Static host');
	await expect(row.getByText(/answered, but not like a ComfyUI server \(404/)).toBeVisible();
	await expect(row.getByText(/CORS/)).toHaveCount(0);
});
