import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server, type Socket } from 'node:net';
import { PORTS } from '../../playwright.config';
import { fillAndAddServer } from './page-helpers';

// Four servers a user might configure that cannot be used, each failing a different way. Over a minute the app
// must not hammer them (backoff, at most 10 requests each) and must say what is wrong once per server.
const pageUrl = `http://127.0.0.1:${PORTS.staticRoot}/#/settings`;

interface Dead {
	name: string;
	port: number;
	/** What the server's row in Settings says. */
	says: RegExp;
}

/**
 * Lets `ms` of the page's time pass in steps, with a short real pause after each so that network answers (which
 * take real time) land between them. The page's clock must be installed: a minute then takes a few seconds.
 */
async function passTime(page: Page, ms: number, onStep?: (elapsed: number) => void) {
	const step = 250;
	for (let elapsed = step; elapsed <= ms; elapsed += step) {
		await page.clock.runFor(step);
		onStep?.(elapsed);
		await page.waitForTimeout(15);
	}
}

const sockets = new Set<Socket>();
const servers: Server[] = [];

function listen(onConnection: (socket: Socket) => void): Promise<number> {
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		onConnection(socket);
	});
	servers.push(server);
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(portOf(server))));
}

function portOf(server: Server): number {
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('no port');
	return address.port;
}

/** A port nothing listens on: bound once to get a free number, then closed. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = portOf(server);
	await new Promise((resolve) => server.close(resolve));
	return port;
}

test.afterAll(async () => {
	for (const socket of sockets) socket.destroy();
	await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function addServer(page: Page, dead: Dead) {
	await fillAndAddServer(page, { url: `http://127.0.0.1:${dead.port}`, name: dead.name });
}

function serverRow(page: Page, name: string) {
	return page
		.getByRole('region', { name: 'ComfyUI servers' })
		.getByRole('listitem')
		.filter({ hasText: name });
}

test('four unusable servers get at most 10 requests a minute each and one report each', async ({ page }) => {
	const dead: Dead[] = [
		{ name: 'Closed port', port: await closedPort(), says: /Cannot reach/ },
		// Accepts the connection and drops it at once, before any answer.
		{ name: 'Refused', port: await listen((s) => s.resetAndDestroy()), says: /Cannot reach/ },
		{ name: 'No CORS', port: PORTS.simulatorNoCors, says: /does not let .* read its answers/ },
		// Accepts and never answers.
		{ name: 'Silent', port: await listen(() => undefined), says: /did not answer|Cannot reach/ }
	];
	const counts = new Map<number, number>(dead.map((d) => [d.port, 0]));
	const sockets = new Map<number, number>(dead.map((d) => [d.port, 0]));
	const count = (map: Map<number, number>, url: string) => {
		const port = Number(new URL(url).port);
		if (map.has(port)) map.set(port, (map.get(port) ?? 0) + 1);
	};
	page.on('request', (r) => count(counts, r.url()));
	page.on('websocket', (ws) => count(sockets, ws.url()));

	// The page's own clock: its checks, backoff and timeouts all run on timers, so a minute of them takes seconds.
	await page.clock.install();
	await page.goto(pageUrl);
	await page.clock.pauseAt(Date.now() + 1000);
	for (const d of dead) await addServer(page, d);
	await passTime(page, 60_000);
	const firstMinute = new Map(counts);
	// On a loaded machine the page's network work lags its stepped clock: a silent server's last check can still
	// be waiting on its timeout, which only more of the page's time ends. The counts above are the first minute's.
	for (const d of dead)
		await expect(async () => {
			await page.clock.runFor(250);
			await expect(serverRow(page, d.name).getByText(d.says)).toBeVisible({ timeout: 200 });
		}).toPass({ timeout: 20_000 });

	const report = dead.map(
		(d) => `${d.name}: ${firstMinute.get(d.port)} HTTP, ${sockets.get(d.port)} WebSocket`
	);
	console.log(`Requests in the first minute:\n${report.join('\n')}`);
	for (const d of dead) {
		expect(firstMinute.get(d.port), d.name).toBeLessThanOrEqual(10);
		// Reported once: one explanation in the server's row, one alert for the server on the page.
		await expect(serverRow(page, d.name).getByText(d.says)).toHaveCount(1);
	}
});

test('a hidden tab sends no polling requests', async ({ page }) => {
	await page.clock.install();
	await page.goto(`http://127.0.0.1:${PORTS.simulatorApp}/#/`);
	await expect(page.getByRole('article', { name: 'This ComfyUI' }).getByText('Online')).toBeVisible();
	let requests = 0;
	page.on('request', (r) => {
		if (new URL(r.url()).pathname.startsWith('/api/')) requests++;
	});
	await page.evaluate(() => {
		Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
	await page.clock.pauseAt(Date.now() + 1000);
	requests = 0;
	await passTime(page, 35_000);
	expect(requests).toBe(0);
});

test('a full load logs no failed request (the same-origin check reads its answer)', async ({ page }) => {
	const failed: string[] = [];
	page.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`));
	for (const url of [`http://127.0.0.1:${PORTS.staticRoot}/`, `http://127.0.0.1:${PORTS.simulatorApp}/`]) {
		await page.goto(url);
		await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
		await page.waitForTimeout(1000);
	}
	expect(failed).toEqual([]);
});

test('the dashboard and the header badge share one system_stats request stream', async ({ page }) => {
	await page.clock.install();
	await page.goto(`http://127.0.0.1:${PORTS.simulatorApp}/#/`);
	await expect(page.getByRole('article', { name: 'This ComfyUI' }).getByText('Online')).toBeVisible();
	await expect(page.getByRole('link', { name: /This ComfyUI: online/ })).toBeVisible();
	await page.clock.pauseAt(Date.now() + 1000);
	// The page's time at each request, as far as the steps tell it (a quarter second).
	let now = 0;
	const times: number[] = [];
	page.on('request', (r) => {
		if (new URL(r.url()).pathname === '/api/system_stats') times.push(now);
	});
	await passTime(page, 12_500, (elapsed) => (now = elapsed));
	// Every 3 s while the dashboard is open: four requests, each at least most of an interval after the last.
	expect(times.length).toBeGreaterThanOrEqual(3);
	expect(times.length).toBeLessThanOrEqual(5);
	const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
	for (const gap of gaps) expect(gap).toBeGreaterThan(2000);
});
