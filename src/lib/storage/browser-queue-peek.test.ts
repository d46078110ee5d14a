import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addItems, emptyQueue, markFinished, markReleased } from '$lib/comfy/batch';
import { openDeckDb } from './db';
import { saveBrowserQueue } from './browser-queue';
import { storedQueueHasWork } from './browser-queue-peek';
import { putRawRecord } from './testing/records';

let n = 0;
const uniqueName = () => `queue-peek-test-${n++}-${Math.random().toString(36).slice(2)}`;
const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };

describe('whether a reload has browser-queue work to resume', () => {
	it('has none before the first save, nor when every stored item has finished', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		expect(await storedQueueHasWork(db)).toBe(false);
		let state = addItems(emptyQueue(), { items: [{ id: 'a', workflow }], now: 1 }).state;
		state = markReleased(state, { id: 'a', serverId: 's1', promptId: 'p-a', now: 2 });
		state = markFinished(state, { id: 'a', status: 'done', now: 3 });
		await saveBrowserQueue(db, { state, now: 4 });
		expect(await storedQueueHasWork(db)).toBe(false);
		db.close();
	});

	it('has some while an item waits or is on a server', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const queued = addItems(emptyQueue(), { items: [{ id: 'w', workflow }], now: 1 }).state;
		await saveBrowserQueue(db, { state: queued, now: 2 });
		expect(await storedQueueHasWork(db)).toBe(true);
		const released = markReleased(queued, { id: 'w', serverId: 's1', promptId: 'p-w', now: 3 });
		await saveBrowserQueue(db, { state: released, since: queued, now: 4 });
		expect(await storedQueueHasWork(db)).toBe(true);
		db.close();
	});

	it('counts what the reader must report as work: an item of another shape, an old snapshot left unread', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		await putRawRecord(db, 'queueItems', { id: 'x', position: 0, state: 'odd' });
		expect(await storedQueueHasWork(db)).toBe(true);
		const other = await openDeckDb({ name: uniqueName() });
		await putRawRecord(other, 'browserQueue', { version: 99 }, 'queue');
		expect(await storedQueueHasWork(other)).toBe(true);
		db.close();
		other.close();
	});
});
