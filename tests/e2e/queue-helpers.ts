// The browser queue as the app stores it (IndexedDB `browserQueue`, key `queue`), for specs, benchmarks and
// screenshots that start from a queue another tab left behind.
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
		version: 1,
		savedAt: 1,
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

/**
 * Replaces the stored queue with `snapshot`, as a tab that queued these and closed. It waits on the app at `base`
 * for the app's own first save of its queue, then writes from a page of the same origin that is not the app: the
 * app saves its queue whenever it changes, and a save landing between this write and the next visit would put its
 * own back. Leaves the page there: go to the app next.
 */
export async function storeQueue({ page, base, snapshot }: { page: Page; base: string; snapshot: unknown }) {
	await page.goto(`${base}#/queue`);
	await page.getByRole('heading', { name: 'In this browser' }).waitFor();
	// No named functions in these page functions: tsx would wrap them in a helper the page does not have.
	const saved = () =>
		page.evaluate(
			() =>
				new Promise<boolean>((resolve, reject) => {
					const open = indexedDB.open('comfy-deck');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						const req = open.result.transaction('browserQueue').objectStore('browserQueue').get('queue');
						req.onsuccess = () => {
							resolve(req.result !== undefined);
							open.result.close();
						};
					};
				})
		);
	const deadline = Date.now() + 30_000;
	while (!(await saved())) {
		if (Date.now() > deadline) throw new Error('The app did not save its queue within 30 s.');
		await page.waitForTimeout(50);
	}
	await page.goto(`${base}not-the-app.txt`);
	await page.evaluate(async (value) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		await new Promise<void>((resolve, reject) => {
			const tx = db.transaction('browserQueue', 'readwrite');
			tx.objectStore('browserQueue').put(value, 'queue');
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
		});
		db.close();
	}, snapshot);
}
