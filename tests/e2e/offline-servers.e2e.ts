import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server, type Socket } from 'node:net';
import { PORTS } from '../../playwright.config';
import { fillAndAddServer, putStoredRecord, storedRecords } from './page-helpers';

// A server that accepts connections and never answers: the slowest way for a server to be unusable.
const sockets = new Set<Socket>();
let silent: Server;
let silentPort = 0;

test.beforeAll(async () => {
	silent = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
	const address = silent.address();
	if (!address || typeof address === 'string') throw new Error('no port');
	silentPort = address.port;
});

test.afterAll(async () => {
	for (const socket of sockets) socket.destroy();
	await new Promise((resolve) => silent.close(resolve));
});

const app = `http://127.0.0.1:${PORTS.staticRoot}/`;

async function addSilentServer(page: Page) {
	await page.goto(`${app}#/settings`);
	await fillAndAddServer(page, { url: `http://127.0.0.1:${silentPort}`, name: 'Silent box' });
	await expect(page.getByRole('link', { name: /Silent box: (checking|offline)/ })).toBeVisible();
}

test('Generate on a server that never answers says why within 5 s, with Cancel from the first moment', async ({
	page
}) => {
	await addSilentServer(page);
	await page.goto(`${app}#/generate/demo-solid-color`);
	const generate = page.getByRole('button', { name: 'Generate' });
	await expect(generate).toBeEnabled();

	// Cancel stops the send at once and leaves nothing behind.
	await generate.click();
	await page.getByRole('button', { name: 'Cancel' }).click();
	await expect(generate).toBeEnabled();
	await expect(page.getByRole('alert')).toHaveCount(0);

	const started = Date.now();
	await generate.click();
	await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
	await expect(page.getByRole('alert').filter({ hasText: 'Silent box cannot be reached' })).toBeVisible({
		timeout: 5_000
	});
	expect(Date.now() - started).toBeLessThan(5_000);
	await expect(page.getByRole('alert')).toContainText(/did not answer|Cannot reach/);
	await expect(generate).toBeEnabled();

	await page.goto(`${app}#/history`);
	await expect(page.getByText('Pending')).toHaveCount(0);
});

test('a job of a server removed from Settings ends as such, and stays in history', async ({ page }) => {
	await addSilentServer(page);
	// A job sent earlier that the silent server never confirmed, as the app stores it before sending.
	const servers = await storedRecords<{ id: string; baseUrl: string; name: string }>(page, {
		store: 'servers'
	});
	const server = servers.find((s) => s.name === 'Silent box');
	if (!server) throw new Error('no server');
	const created = Date.now();
	await putStoredRecord(page, {
		store: 'jobs',
		value: {
			id: '6f1f7c6e-2b7e-4c1e-9a8e-0c6a3b1d2e4f',
			serverId: server.id,
			serverUrl: server.baseUrl,
			workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
			status: 'pending',
			outputs: [],
			timings: { created },
			attempts: 1,
			createdAt: created,
			app: { templateName: 'Sent to the silent box' }
		}
	});
	await page.goto(`${app}#/history`);
	await expect(page.getByRole('link', { name: /Sent to the silent box, Pending/ })).toBeVisible();

	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('button', { name: 'Remove Silent box' }).click();
	// Remove asks first, naming the server; only the yes removes it.
	const ask = page.getByRole('dialog', { name: 'Remove Silent box?' });
	await expect(ask).toContainText('Its generations stay in History');
	await expect(page.getByRole('link', { name: /Silent box:/ })).toHaveCount(1);
	const yes = ask.getByRole('button', { name: 'Remove', exact: true });
	// A yes that removes is red (the light theme's --danger), like the Remove button that asked, not the accent.
	await expect(yes).toHaveCSS('color', 'rgb(185, 28, 28)');
	await yes.click();
	await expect(page.getByRole('link', { name: /Silent box:/ })).toHaveCount(0);

	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
	const job = page.getByRole('link', { name: /Sent to the silent box, Interrupted/ });
	await expect(job).toBeVisible();
	await job.click();
	await expect(page.getByText('Its server was removed from Settings')).toBeVisible();
});
