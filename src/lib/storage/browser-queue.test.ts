import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addItems, emptyQueue, markReleased, pauseAll } from '$lib/comfy/batch';
import { openDeckDb } from './db';
import { loadBrowserQueue, saveBrowserQueue } from './browser-queue';
import { putRawRecord } from './testing/records';
import type { UnreadableRecord } from './unreadable';

let n = 0;
const uniqueName = () => `queue-test-${n++}-${Math.random().toString(36).slice(2)}`;
const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };

describe('browser queue store', () => {
	it('has nothing before the first save', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		expect(await loadBrowserQueue(db)).toEqual({ ok: true, state: undefined });
		db.close();
	});

	it('gives back the queue as saved: order, pause, priority, app info, items on a server', async () => {
		const name = uniqueName();
		const db = await openDeckDb({ name });
		let state = addItems(emptyQueue(), {
			items: [
				{ id: 'a', workflow, label: 'Seed 1', app: { templateId: 't', parameters: { seed: 1 } } },
				{ id: 'b', workflow, priority: 3, group: { id: 'g', key: 'x0' } }
			],
			now: 5
		}).state;
		state = markReleased(state, { id: 'b', serverId: 's1', promptId: 'p-b', now: 6 });
		state = pauseAll(state);
		await saveBrowserQueue(db, { state, now: 7 });
		db.close();

		// A new connection, as after a browser restart.
		const again = await openDeckDb({ name });
		const read = await loadBrowserQueue(again);
		expect(read).toEqual({ ok: true, state });
		again.close();
	});

	it('reports a damaged record and queues nothing from it', async () => {
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
