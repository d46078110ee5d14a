import { expect, test, type Page } from '@playwright/test';
import { invertPrompt } from '../simulator/test-helpers';
import { storedQueue, storedQueueEntries, storeQueue } from './queue-helpers';
import { appBase as base, control, resetSimulatorEachTest } from './page-helpers';

// The browser's own queue against the simulator serving the app (same origin), in test mode.
const COUNT = 6;

/** A paused queue of `COUNT` items as the app stores it. */
function pausedQueue() {
	return storedQueue({
		group: 'e2e-batch',
		paused: true,
		items: Array.from({ length: COUNT }, (_, i) => ({
			id: `item-${i}`,
			workflow: invertPrompt(`queue-e2e/${i}`, 16 + i, 16),
			label: `Width ${16 + i}`,
			key: `r${i}`,
			app: { templateName: 'Invert' }
		}))
	});
}

const waiting = (page: Page) =>
	page.getByRole('region', { name: 'In this browser' }).locator('ol.pending > li .name');

resetSimulatorEachTest();

test('the browser queue keeps pause, order and priority across a reload, and runs every item once through a server restart', async ({
	page
}) => {
	test.setTimeout(90_000);
	// One send a second, one at a time: the restart below lands mid-batch.
	await page.goto(`${base}#/settings`);
	const rate = page.getByRole('spinbutton', { name: 'Sends per second' });
	await rate.fill('2000');
	await rate.press('Tab');
	await expect(page.getByRole('alert')).toContainText(
		'Sends per second must be from 0 to 1000; 2000 is out of range.'
	);
	await rate.fill('1');
	await rate.press('Tab');
	await page.getByRole('spinbutton', { name: 'Burst' }).fill('1');
	await page.getByRole('spinbutton', { name: 'Burst' }).press('Tab');
	await page.getByRole('spinbutton', { name: 'Items per server' }).fill('1');
	await page.getByRole('spinbutton', { name: 'Items per server' }).press('Tab');
	await expect(page.getByRole('alert')).toHaveCount(0);
	await page.reload();
	await expect(page.getByRole('spinbutton', { name: 'Items per server' })).toHaveValue('1');
	await expect(rate).toHaveValue('1');

	// Written from a page of the same origin that is not the app: a save landing between this write and the reload
	// replaced the stored queue with an empty one (a CI flake).
	await storeQueue({ page, base, snapshot: pausedQueue() });
	await page.goto(`${base}#/queue`);
	const names = waiting(page);
	await expect(names).toHaveText(Array.from({ length: COUNT }, (_, i) => `Width ${16 + i}`));
	await expect(page.getByText('Paused: nothing more is sent')).toBeVisible();

	// Keyboard: the last item's handle, Home → first; then the arrow keys move the focused item one place.
	const handle = page.getByRole('button', { name: /^Reorder Width 21,/ });
	await handle.focus();
	await handle.press('Home');
	await expect(names.first()).toHaveText('Width 21');
	await expect(page.getByRole('button', { name: 'Reorder Width 21, position 1 of 6' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(names.nth(1)).toHaveText('Width 21');
	// Drag: Width 20 dropped on the first row.
	await page
		.locator('ol.pending > li', { hasText: 'Width 20' })
		.dragTo(page.locator('ol.pending > li').first());
	await expect(names.first()).toHaveText('Width 20');
	// Priority: a higher one goes first.
	const priority = page.getByRole('spinbutton', { name: 'Priority of Width 18' });
	await priority.fill('5');
	await priority.press('Tab');
	const order = ['Width 18', 'Width 20', 'Width 16', 'Width 21', 'Width 17', 'Width 19'];
	await expect(names).toHaveText(order);

	await page.reload();
	await expect(names).toHaveText(order);
	await expect(page.getByRole('spinbutton', { name: 'Priority of Width 18' })).toHaveValue('5');
	await expect(page.getByRole('button', { name: 'Resume all' })).toBeVisible();

	await page.getByRole('button', { name: 'Resume all' }).click();
	await expect(page).toHaveTitle(/^\[\d\/6 · \d+%\] Queue · Comfy Deck$/);
	const finished = page.getByRole('region', { name: 'In this browser' }).locator('ul.finished > li');
	await expect(finished).not.toHaveCount(0, { timeout: 20_000 });
	// Opened afresh on the landing route, the queue resumes without its view (loaded right after the first paint).
	await page.goto(`${base}not-the-app.txt`);
	await page.goto(`${base}#/`);
	await expect(page).toHaveTitle(/^\[\d\/6 · \d+%\] /);
	await page.goto(`${base}#/queue`);
	// Settled (the page's own ComfyUI found and online) before the restart below takes it away.
	await expect(page.getByRole('link', { name: /^This ComfyUI: online/ })).toBeVisible();
	// The server restarts mid-batch, down for a second: what it had is lost, and comes back to run again.
	await control(page, { action: 'restart', downMs: 20_000 });
	await expect(finished).toHaveCount(COUNT, { timeout: 60_000 });
	await expect(finished.filter({ hasText: 'Failed' })).toHaveCount(0);
	// Each says what it was and where it ran: its label, the server, its template.
	await expect(finished.filter({ hasText: /Width \d+\s*Done on This ComfyUI · Invert/ })).toHaveCount(COUNT);
	await expect(page).toHaveTitle('Queue · Comfy Deck');

	// Every item ran to success exactly once on the server (a run cut by the restart is not a success).
	const { runs } = (await control(page, { action: 'runs' })) as {
		runs: { promptId: string; outcome: string }[];
	};
	const ids = (await storedQueueEntries(page)).map((e) => String(e['promptId']));
	expect(new Set(ids).size).toBe(COUNT);
	const successes = runs.filter((r) => r.outcome === 'success' && ids.includes(r.promptId));
	expect(successes.map((r) => r.promptId).sort()).toEqual([...ids].sort());

	// Each is a run in History, named by its label's template.
	await page.goto(`${base}#/history`);
	await expect(page.getByText('Invert').first()).toBeVisible();
});
