import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
	addItems,
	emptyQueue,
	markFinished,
	markReleased,
	moveItem,
	pauseAll,
	removeItems
} from '$lib/comfy/batch';
import { openDeckDb, type DeckDb } from './db';
import { loadBrowserQueue, saveBrowserQueue, setAsideQueueItems } from './browser-queue';
import { jobRecord, putRawRecord } from './testing/records';
import type { UnreadableRecord } from './unreadable';

let n = 0;
const uniqueName = () => `queue-test-${n++}-${Math.random().toString(36).slice(2)}`;
const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };

/** Counts the records written to each store from here on. */
function countWrites(db: DeckDb) {
	const counts: Record<string, number> = {};
	const original = db.transaction.bind(db);
	db.transaction = ((stores: never, mode: never) => {
		const tx = (original as (s: never, m: never) => { objectStore(name: string): unknown })(stores, mode);
		for (const name of [stores].flat() as string[]) {
			const store = tx.objectStore(name) as Record<string, unknown>;
			for (const method of ['put', 'delete', 'clear']) {
				const call = store[method] as (...a: unknown[]) => unknown;
				store[method] = (...a: unknown[]) => {
					counts[`${name}.${method}`] = (counts[`${name}.${method}`] ?? 0) + 1;
					return call.apply(store, a);
				};
			}
		}
		return tx;
	}) as unknown as typeof db.transaction;
	return counts;
}

describe('browser queue store', () => {
	it('has nothing before the first save', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		expect(await loadBrowserQueue(db)).toEqual({ ok: true, state: undefined, unreadable: [], exact: true });
		db.close();
	});

	it('gives back the queue as saved: order, pause, priority, app info, items on a server', async () => {
		const name = uniqueName();
		const db = await openDeckDb({ name });
		let state = addItems(emptyQueue(), {
			items: [
				{ id: 'a', workflow, label: 'Seed 1', app: { templateId: 't', parameters: { seed: 1 } } },
				{ id: 'b', workflow, priority: 3, group: { id: 'g', key: 'x0' } },
				{ id: 'c', workflow }
			],
			now: 5
		}).state;
		state = markReleased(state, { id: 'b', serverId: 's1', promptId: 'p-b', now: 6 });
		state = pauseAll(state);
		await saveBrowserQueue(db, { state, now: 7 });
		db.close();

		// A new connection, as after a browser restart.
		const again = await openDeckDb({ name });
		expect(await loadBrowserQueue(again)).toEqual({ ok: true, state, unreadable: [], exact: true });
		again.close();
	});

	it('writes only the items that changed, moved or went since the last save', async () => {
		const name = uniqueName();
		const db = await openDeckDb({ name });
		const items = Array.from({ length: 200 }, (_, i) => ({ id: `i${i}`, workflow }));
		const first = addItems(emptyQueue(), { items, now: 1 }).state;
		await saveBrowserQueue(db, { state: first });
		const counts = countWrites(db);

		// One release with its job record: that item and the job, in one transaction.
		const released = markReleased(first, { id: 'i0', serverId: 's1', promptId: 'p0', now: 2 });
		await saveBrowserQueue(db, { state: released, since: first, jobs: [jobRecord({ id: 'p0' })] });
		expect(counts).toEqual({ 'queueItems.put': 1, 'jobs.put': 1 });

		// Its end, then the last item moved to the front of the waiting ones (every waiting slot shifts by one).
		const done = markFinished(released, { id: 'i0', status: 'done', now: 3 });
		await saveBrowserQueue(db, { state: done, since: released });
		expect(counts['queueItems.put']).toBe(2);
		const moved = moveItem(done, { id: 'i199', index: 0 }).state;
		await saveBrowserQueue(db, { state: moved, since: done });
		expect(counts['queueItems.put']).toBe(2 + 199);

		// Removed and paused: a delete and the queue's own record.
		const removed = pauseAll(removeItems(moved, { ids: ['i0'] }).state);
		for (const key of Object.keys(counts)) delete counts[key];
		await saveBrowserQueue(db, { state: removed, since: moved });
		expect(counts['queueItems.delete']).toBe(1);
		expect(counts['browserQueue.put']).toBe(1);
		db.close();

		const again = await openDeckDb({ name });
		const read = await loadBrowserQueue(again);
		expect(read).toEqual({ ok: true, state: removed, unreadable: [], exact: true });
		again.close();
	});

	it('reports an item it cannot read, loads the others, and sets that one aside', async () => {
		const reported: UnreadableRecord[] = [];
		const db = await openDeckDb({ name: uniqueName(), onUnreadable: (r) => reported.push(r) });
		const state = addItems(emptyQueue(), {
			items: [
				{ id: 'a', workflow },
				{ id: 'c', workflow }
			],
			now: 1
		}).state;
		await saveBrowserQueue(db, { state });
		await putRawRecord(db, 'queueItems', { id: 'b', status: 'sideways', position: 1 });
		await putRawRecord(db, 'queueItems', { ...state.entries[1], position: 2 });

		const read = await loadBrowserQueue(db);
		expect(read).toEqual({ ok: true, state, unreadable: ['b'], exact: false });
		expect(reported).toEqual([
			{ store: 'queueItems', key: 'b', problem: expect.stringMatching(/^unreadable at status/) }
		]);
		await setAsideQueueItems(db, { ids: ['b'], now: 9 });
		expect(await db.getAllKeys('queueItems')).toEqual(['a', 'c']);
		// Kept, out of the queue, for a backup or a bug report.
		expect(await db.get('browserQueue', 'unreadable-9-b')).toMatchObject({ status: 'sideways' });
		db.close();
	});

	it('reports an old snapshot it cannot read and queues nothing from it', async () => {
		const reported: UnreadableRecord[] = [];
		const db = await openDeckDb({ name: uniqueName(), onUnreadable: (r) => reported.push(r) });
		await putRawRecord(
			db,
			'browserQueue',
			{ version: 1, savedAt: 1, paused: false, entries: [{ id: 'x', status: 'sideways' }] },
			'queue'
		);
		const read = await loadBrowserQueue(db);
		expect(read.ok).toBe(false);
		if (!read.ok) expect(read.message).toMatch(/could not be read at entries\.0/);
		expect(reported.map((r) => r.store)).toEqual(['browserQueue']);
		// Left as it is: the user's data is not overwritten by a failed read.
		expect(await db.get('browserQueue', 'queue')).toMatchObject({ entries: [{ id: 'x' }] });
		db.close();
	});
});
