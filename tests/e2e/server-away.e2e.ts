import { expect, test, type Page } from '@playwright/test';
import { createServer } from 'node:net';
import { PORTS } from '../../playwright.config';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { fillAndAddServer } from './page-helpers';

// The generate form when its server is known to be unreachable: it says so and offers the servers that answer,
// or to queue the run in this browser until that server is back; queued, the run goes out once it is.
const app = `http://127.0.0.1:${PORTS.staticRoot}/`;
let studio: RunningSimulator | undefined;

test.afterAll(async () => {
	await studio?.close();
});

/** A port nothing listens on now (the server comes up there later). */
function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
		});
	});
}

async function addServer(page: Page, url: string, name: string, state: RegExp) {
	await page.goto(`${app}#/settings`);
	await fillAndAddServer(page, { url, name });
	await expect(page.getByRole('link', { name: new RegExp(`${name}: ${state.source}`) })).toBeVisible({
		timeout: 10_000
	});
}

test('a server known to be down: the form offers another server or to queue the run until it is back', async ({
	page
}) => {
	const port = await freePort();
	await addServer(page, `http://127.0.0.1:${port}`, 'Studio box', /offline/);
	await addServer(page, `http://127.0.0.1:${PORTS.simulatorCors}`, 'Attic', /online/);
	await page.goto(`${app}#/generate/demo-solid-color`);
	await page.getByRole('combobox', { name: 'Server' }).selectOption({ label: 'Studio box' });

	const notice = page.getByRole('group', { name: 'Server unreachable' });
	await expect(notice).toContainText('Studio box cannot be reached now.');
	await expect(notice.getByRole('button', { name: 'Use Attic' })).toBeVisible();
	await notice.getByRole('button', { name: 'Queue until it is back' }).click();
	await expect(notice.getByRole('status')).toHaveText(
		'Queued: the run waits in this browser until Studio box is back (see Queue).'
	);
	const runs = page.getByRole('region', { name: 'Runs' }).getByRole('listitem');
	await expect(runs).toHaveCount(1);

	// The other offer switches the form to the server that answers.
	await notice.getByRole('button', { name: 'Use Attic' }).click();
	await expect(page.getByRole('combobox', { name: 'Server' })).toHaveValue(/.+/);
	await expect(notice).toBeHidden();
	expect(await page.getByRole('combobox', { name: 'Server' }).locator('option:checked').textContent()).toBe(
		'Attic'
	);

	// Studio box comes up: the queued run goes to it (not to Attic, which was free all along) and lands.
	studio = await startSimulator({ port, quiet: true, cors: '*', timeScale: 0.05 });
	await expect(runs.filter({ hasText: 'Done' })).toHaveCount(1, { timeout: 30_000 });
	expect(studio.controls.runs().filter((r) => r.outcome === 'success')).toHaveLength(1);
});
