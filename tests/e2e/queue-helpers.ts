// The browser queue as the app stores it (IndexedDB: one `queueItems` record per item with its position, and the
// queue's own record in `browserQueue`, key `state`), for specs, benchmarks and screenshots that start from a queue
// another tab left behind.
import type { Page } from '@playwright/test';

/** One queued item: a workflow under a label, in a group of a batch. */
export interface QueuedItem {
	id: string;
	workflow: unknown;
	label: string;
	/** Its place in the batch's grid (a row key is enough for a plain batch). */
	key: string;
	status?: 'waiting' | 'paused';
	app?: Record<string, unknown>;
}

/** The stored form of a batch of items (`group` names the batch), all paused when `paused`. */
export function storedQueue({
	group,
	paused,
	items
}: {
	group: string;
	paused: boolean;
	items: QueuedItem[];
}) {
	return {
		paused,
		entries: items.map((item, i) => ({
			id: item.id,
			status: item.status ?? (paused ? 'paused' : 'waiting'),
			priority: 0,
			target: { kind: 'any' },
			workflow: item.workflow,
			label: item.label,
			group: { id: group, key: item.key },
			app: item.app ?? {},
			createdAt: 1 + i,
			attempts: []
		}))
	};
}

/** A stored queue: paused or not, and its items in order. */
export interface StoredQueue {
	paused: boolean;
	entries: ({ id: string } & Record<string, unknown>)[];
}

/**
 * Replaces the stored queue with `snapshot`, as a tab that queued these and closed. It waits for the app at `base`
 * to create its database, then writes from a page of the same origin that is not the app, so no app of this
 * page saves its own queue over it. Leaves the page there: go to the app next.
 */
export async function storeQueue({
	page,
	base,
	snapshot
}: {
	page: Page;
	base: string;
	snapshot: StoredQueue;
}) {
	await page.goto(`${base}#/queue`);
	await page.getByRole('heading', { name: 'In this browser' }).waitFor();
	// No named functions in these page functions: tsx would wrap them in a helper the page does not have.
	const ready = () =>
		page.evaluate(
			() =>
				new Promise<boolean>((resolve, reject) => {
					const open = indexedDB.open('comfy-deck');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						resolve(open.result.objectStoreNames.contains('queueItems'));
						open.result.close();
					};
				})
		);
	const deadline = Date.now() + 30_000;
	while (!(await ready())) {
		if (Date.now() > deadline) throw new Error('The app did not create its database within 30 s.');
		await page.waitForTimeout(50);
	}
	await page.goto(`${base}not-the-app.txt`);
	await writeStoredQueue(page, snapshot);
}

/**
 * Writes `snapshot` as the stored queue (replacing it) from the page as it is: call it from a page of the app's
 * origin where the app is not running, after the app created its database.
 */
export async function writeStoredQueue(page: Page, snapshot: StoredQueue): Promise<void> {
	await page.evaluate(async ({ paused, entries }) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const tx = db.transaction(['browserQueue', 'queueItems'], 'readwrite');
		const items = tx.objectStore('queueItems');
		items.clear();
		entries.forEach((entry, position) => items.put({ ...entry, position }));
		tx.objectStore('browserQueue').put({ version: 2, paused, savedAt: Date.now() }, 'state');
		await new Promise<void>((resolve, reject) => {
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
		});
		db.close();
	}, snapshot);
}

/** The stored queue's items, in the queue's order. */
export async function storedQueueEntries(page: Page): Promise<({ id: string } & Record<string, unknown>)[]> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const entries = await new Promise<({ id: string } & Record<string, unknown>)[]>((resolve, reject) => {
			const req = db.transaction('queueItems').objectStore('queueItems').index('byPosition').getAll();
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		db.close();
		return entries;
	});
}
