import { describe, expect, it } from 'vitest';
import {
	addItems,
	changePriority,
	emptyQueue,
	markEndedOnSocket,
	markReleased,
	pauseAll,
	type QueueState
} from './queue';
import { QUEUE_SNAPSHOT_VERSION, readQueueSnapshot, toSnapshot } from './queue-snapshot';

const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 }, _meta: { title: 'Empty' } } };

function sample(): QueueState {
	let s = addItems(emptyQueue(), {
		items: [
			{ id: 'a', workflow, group: { id: 'grid-1', key: 'z0-y0-x0-r0-n0' }, label: 'CFG 5' },
			{ id: 'b', workflow, target: { kind: 'server', serverId: 'studio' } },
			{ id: 'c', workflow }
		],
		now: 10
	}).state;
	s = markReleased(s, { id: 'a', serverId: 'studio', promptId: 'p-a', now: 11 });
	// Still followed after a reload until its server confirms it (or proves it lost it).
	s = markEndedOnSocket(s, { id: 'a' });
	s = changePriority(s, { id: 'c', priority: 4 }).state;
	return pauseAll(s);
}

describe('queue snapshot', () => {
	it('survives a trip through JSON (IndexedDB stores a structured clone, stricter than this)', () => {
		const state = sample();
		const stored = JSON.parse(JSON.stringify(toSnapshot(state, { now: 99 })));
		expect(readQueueSnapshot(stored)).toEqual({ ok: true, state, savedAt: 99 });
	});

	it('keeps what the app records with an item (a batch label, a group, a style) through a reload', () => {
		const state = addItems(emptyQueue(), {
			items: [{ id: 'a', workflow, app: { templateId: 't', style: 'ink', label: 'CFG 5', groupKey: 'x0' } }],
			now: 1
		}).state;
		const stored = JSON.parse(JSON.stringify(toSnapshot(state, { now: 2 })));
		const read = readQueueSnapshot(stored);
		expect(read.ok && read.state.entries[0]!.app).toEqual({
			templateId: 't',
			style: 'ink',
			label: 'CFG 5',
			groupKey: 'x0'
		});
	});

	it('is a copy: later changes to the state do not reach it', () => {
		const state = sample();
		const snap = toSnapshot(state, { now: 1 });
		state.entries[0]!.label = 'changed';
		expect(snap.entries[0]!.label).toBe('CFG 5');
	});

	it('reports what is wrong with a broken record and where', () => {
		const snap = toSnapshot(sample(), { now: 1 }) as unknown as { entries: Record<string, unknown>[] };
		snap.entries[1]!.status = 'exploded';
		const r = readQueueSnapshot(snap);
		expect(r.ok).toBe(false);
		if (!r.ok)
			expect(r.message).toBe(
				'The saved queue could not be read at entries.1.status: Invalid option: expected one of "waiting"|"paused"|"released"|"running"|"done"|"failed". It was left as it is; nothing was queued from it.'
			);
		expect(readQueueSnapshot(null).ok).toBe(false);
		expect(
			readQueueSnapshot({ version: QUEUE_SNAPSHOT_VERSION + 1, savedAt: 1, paused: false, entries: [] }).ok
		).toBe(false);
	});

	it('refuses duplicates and in-flight items without their server', () => {
		const snap = toSnapshot(sample(), { now: 1 });
		expect(readQueueSnapshot({ ...snap, entries: [snap.entries[0], snap.entries[0]] })).toEqual({
			ok: false,
			message: 'The saved queue holds item a twice.'
		});
		const orphan = { ...snap.entries[0]!, serverId: undefined };
		expect(readQueueSnapshot({ ...snap, entries: [orphan] })).toEqual({
			ok: false,
			message: 'The saved queue says item a is on a server but not which one.'
		});
	});
});
