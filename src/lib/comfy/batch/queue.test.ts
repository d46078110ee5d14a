import { describe, expect, it } from 'vitest';
import {
	addItems,
	changePriority,
	emptyQueue,
	inFlightByServer,
	isInFlight,
	markEndedOnSocket,
	markFinished,
	markReleased,
	markRunning,
	moveItem,
	moveToFront,
	pauseAll,
	pauseItems,
	removeItems,
	resumeAll,
	resumeItems,
	returnToQueue,
	summarizeQueue,
	type NewEntry,
	type QueueState
} from './queue';
import { nextToRelease, releaseCandidates } from './release-candidates';

const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };
const item = (id: string, extra: Partial<NewEntry> = {}): NewEntry => ({ id, workflow, label: id, ...extra });

function queueOf(ids: string[], extra: Partial<NewEntry> = {}): QueueState {
	return addItems(emptyQueue(), { items: ids.map((id) => item(id, extra)), now: 1 }).state;
}
const pendingIds = (s: QueueState) =>
	s.entries.filter((e) => e.status === 'waiting' || e.status === 'paused').map((e) => e.id);
const statuses = (s: QueueState) => Object.fromEntries(s.entries.map((e) => [e.id, e.status]));

describe('adding and ordering', () => {
	it('keeps the order items were added in, higher priority first', () => {
		let s = queueOf(['a', 'b']);
		s = addItems(s, { items: [item('urgent', { priority: 5 }), item('c')], now: 2 }).state;
		expect(pendingIds(s)).toEqual(['urgent', 'a', 'b', 'c']);
		s = addItems(s, { items: [item('d')], now: 3, front: true }).state;
		expect(pendingIds(s)).toEqual(['urgent', 'd', 'a', 'b', 'c']);
	});

	it('refuses a duplicate id and says which', () => {
		const r = addItems(queueOf(['a']), { items: [item('a'), item('b')], now: 2 });
		expect(r.refused).toEqual(['a is already in the queue.']);
		expect(pendingIds(r.state)).toEqual(['a', 'b']);
	});

	it('moves an item to an index, taking the priority of its new neighbour', () => {
		let s = addItems(queueOf(['a', 'b', 'c']), { items: [item('hi', { priority: 3 })], now: 2 }).state;
		expect(pendingIds(s)).toEqual(['hi', 'a', 'b', 'c']);
		// Dragged down below a: it follows a, at a's priority, and stays there.
		s = moveItem(s, { id: 'hi', index: 1 }).state;
		expect(pendingIds(s)).toEqual(['a', 'hi', 'b', 'c']);
		expect(s.entries.find((e) => e.id === 'hi')!.priority).toBe(0);
		s = moveItem(s, { id: 'a', index: 99 }).state;
		expect(pendingIds(s)).toEqual(['hi', 'b', 'c', 'a']);
	});

	it('moves to the front past higher priorities by raising the priority', () => {
		let s = addItems(queueOf(['a', 'b']), { items: [item('hi', { priority: 3 })], now: 2 }).state;
		s = moveToFront(s, { id: 'b' }).state;
		expect(pendingIds(s)).toEqual(['b', 'hi', 'a']);
		expect(nextToRelease({ state: s, serverIds: ['s1'] })?.entry.id).toBe('b');
	});

	it('changing priority puts the item last among items of that priority', () => {
		let s = addItems(queueOf(['a', 'b', 'c']), { items: [item('hi', { priority: 2 })], now: 2 }).state;
		s = changePriority(s, { id: 'c', priority: 2 }).state;
		expect(pendingIds(s)).toEqual(['hi', 'c', 'a', 'b']);
		s = changePriority(s, { id: 'hi', priority: 0 }).state;
		expect(pendingIds(s)).toEqual(['c', 'a', 'b', 'hi']);
		expect(changePriority(s, { id: 'a', priority: Number.NaN }).refused).toEqual([
			'A priority must be a number.'
		]);
	});

	it('reorders only pending items; released and finished ones keep their places', () => {
		let s = queueOf(['a', 'b', 'c', 'd']);
		s = markReleased(s, { id: 'b', serverId: 's1', promptId: 'p-b', now: 5 });
		s = moveItem(s, { id: 'd', index: 0 }).state;
		expect(s.entries.map((e) => e.id)).toEqual(['d', 'b', 'a', 'c']);
		const r = moveItem(s, { id: 'b', index: 0 });
		expect(r.state).toBe(s);
		expect(r.refused).toEqual(['b has been sent to a server: only waiting items can be moved.']);
	});
});

describe('pause and resume', () => {
	it('pauses everything pending and items added while paused', () => {
		let s = markReleased(queueOf(['a', 'b']), { id: 'a', serverId: 's1', promptId: 'p', now: 2 });
		s = pauseAll(s);
		s = addItems(s, { items: [item('c')], now: 3 }).state;
		expect(statuses(s)).toEqual({ a: 'released', b: 'paused', c: 'paused' });
		expect(nextToRelease({ state: s, serverIds: ['s1', 's2'] })).toBeUndefined();
		s = resumeAll(s);
		expect(statuses(s)).toEqual({ a: 'released', b: 'waiting', c: 'waiting' });
		expect(s.paused).toBe(false);
	});

	it('holds and lets go single items', () => {
		let s = pauseItems(queueOf(['a', 'b']), { ids: ['a'] }).state;
		expect(nextToRelease({ state: s, serverIds: ['s1'] })?.entry.id).toBe('b');
		s = resumeItems(s, { ids: ['a'] }).state;
		expect(nextToRelease({ state: s, serverIds: ['s1'] })?.entry.id).toBe('a');
	});
});

describe('removing', () => {
	it('removes waiting and finished items, refuses items on a server', () => {
		let s = queueOf(['a', 'b', 'c']);
		s = markReleased(s, { id: 'a', serverId: 's1', promptId: 'p', now: 2 });
		s = markReleased(s, { id: 'b', serverId: 's1', promptId: 'q', now: 2 });
		s = markFinished(s, { id: 'b', status: 'done', now: 3 });
		const r = removeItems(s, { ids: ['a', 'b', 'c', 'x'] });
		expect(r.state.entries.map((e) => e.id)).toEqual(['a']);
		expect(r.refused).toEqual([
			'a is on a server already: cancel it there instead.',
			'x is not in the queue.'
		]);
	});
});

describe('release', () => {
	it('honours at most N in flight per server (default 2)', () => {
		let s = queueOf(['a', 'b', 'c', 'd', 'e']);
		for (const [id, server] of [
			['a', 's1'],
			['b', 's1'],
			['c', 's2']
		] as const) {
			s = markReleased(s, { id, serverId: server, promptId: `p-${id}`, now: 2 });
		}
		s = markRunning(s, { id: 'a' });
		expect(inFlightByServer(s)).toEqual(
			new Map([
				['s1', 2],
				['s2', 1]
			])
		);
		expect(
			releaseCandidates({ state: s, serverIds: ['s1', 's2'] }).map((c) => [c.entry.id, c.freeServers])
		).toEqual([
			['d', ['s2']],
			['e', ['s2']]
		]);
		expect(nextToRelease({ state: s, serverIds: ['s1', 's2'], maxInFlight: 3 })?.freeServers).toEqual([
			's1',
			's2'
		]);
		s = markFinished(s, { id: 'a', status: 'done', now: 3 });
		expect(nextToRelease({ state: s, serverIds: ['s1'] })?.entry.id).toBe('d');
	});

	it('frees the slot of an item that ended on the socket, which stays in flight until confirmed or lost', () => {
		let s = queueOf(['a', 'b', 'c']);
		s = markReleased(s, { id: 'a', serverId: 's1', promptId: 'p-a', now: 2 });
		s = markReleased(s, { id: 'b', serverId: 's1', promptId: 'p-b', now: 2 });
		expect(nextToRelease({ state: s, serverIds: ['s1'] })).toBeUndefined();
		s = markEndedOnSocket(s, { id: 'a' });
		expect(markEndedOnSocket(s, { id: 'a' })).toBe(s);
		expect(inFlightByServer(s)).toEqual(new Map([['s1', 1]]));
		expect(nextToRelease({ state: s, serverIds: ['s1'] })?.entry.id).toBe('c');
		const a = s.entries.find((e) => e.id === 'a')!;
		expect(a.status).toBe('running');
		expect(isInFlight(a)).toBe(true);
		expect(summarizeQueue(s)).toMatchObject({ inFlight: 2, done: 0 });
		// Confirmed: done, without the mark; lost: back in the queue, without it either.
		expect(markFinished(s, { id: 'a', status: 'done', now: 3 }).entries[0]).not.toHaveProperty(
			'endedOnSocket'
		);
		const back = returnToQueue(s, { id: 'a', reason: 'lost' }).entries.find((e) => e.id === 'a')!;
		expect(back.status).toBe('waiting');
		expect(back).not.toHaveProperty('endedOnSocket');
	});

	it('offers an item with a fixed server only to that server', () => {
		const s = addItems(queueOf(['a']), {
			items: [item('pinned', { target: { kind: 'server', serverId: 's2' }, priority: 9 })],
			now: 2
		}).state;
		expect(releaseCandidates({ state: s, serverIds: ['s1'] }).map((c) => c.entry.id)).toEqual(['a']);
		expect(nextToRelease({ state: s, serverIds: ['s1', 's2'] })).toMatchObject({
			entry: { id: 'pinned' },
			freeServers: ['s2']
		});
	});

	it('records a lost release and puts the item first among its priority again', () => {
		let s = queueOf(['a', 'b', 'c']);
		s = markReleased(s, { id: 'a', serverId: 's1', promptId: 'p-a', now: 7 });
		s = returnToQueue(s, { id: 'a', reason: 'Studio box restarted and lost it' });
		const a = s.entries.find((e) => e.id === 'a')!;
		expect(a).toMatchObject({
			status: 'waiting',
			attempts: [
				{ serverId: 's1', promptId: 'p-a', releasedAt: 7, reason: 'Studio box restarted and lost it' }
			]
		});
		expect(a.serverId).toBeUndefined();
		expect(pendingIds(s)).toEqual(['a', 'b', 'c']);
		// A pending item is not "returned".
		expect(returnToQueue(s, { id: 'b', reason: 'x' })).toBe(s);
	});
});

describe('summarizeQueue', () => {
	it('counts items by status, for all or one grid', () => {
		let s = queueOf(['a', 'b']);
		s = addItems(s, {
			items: ['g1', 'g2', 'g3'].map((id) => item(id, { group: { id: 'grid', key: id } })),
			now: 2
		}).state;
		s = markReleased(s, { id: 'g1', serverId: 's1', promptId: 'p1', now: 3 });
		s = markReleased(s, { id: 'g2', serverId: 's1', promptId: 'p2', now: 3 });
		s = markFinished(s, { id: 'g2', status: 'failed', now: 4, error: 'x' });
		s = pauseItems(s, { ids: ['a'] }).state;
		expect(summarizeQueue(s)).toEqual({ total: 5, waiting: 2, paused: 1, inFlight: 1, done: 0, failed: 1 });
		expect(summarizeQueue(s, { groupId: 'grid' })).toEqual({
			total: 3,
			waiting: 1,
			paused: 0,
			inFlight: 1,
			done: 0,
			failed: 1
		});
	});
});
