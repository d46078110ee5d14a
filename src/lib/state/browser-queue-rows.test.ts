import { describe, expect, it } from 'vitest';
import type { JobRecord } from '$lib/comfy';
import {
	addItems,
	emptyQueue,
	markFinished,
	markReleased,
	markRunning,
	pauseItems,
	returnToQueue,
	summarizeQueue
} from '$lib/comfy/batch/queue';
import {
	browserQueueRows,
	createBrowserQueueRows,
	inFlightJobIds,
	liveProgress,
	queueTitlePrefix,
	withTitlePrefix
} from './browser-queue-rows';

const workflow = { '1': { class_type: 'EmptyImage', inputs: {} } };

function queue() {
	let state = addItems(emptyQueue(), {
		now: 1,
		items: [
			{ id: 'a', workflow, label: 'CFG 4', app: { templateName: 'Portrait' } },
			{ id: 'b', workflow, app: { templateName: 'Portrait' } },
			{ id: 'c', workflow, target: { kind: 'server', serverId: 'attic' } },
			{ id: 'd', workflow, label: 'CFG 5' },
			{ id: 'e', workflow, label: 'CFG 6' }
		]
	}).state;
	state = markReleased(state, { id: 'a', serverId: 's1', promptId: 'p-a', now: 2 });
	state = markRunning(state, { id: 'a' });
	state = markReleased(state, { id: 'd', serverId: 's1', promptId: 'p-d', now: 3 });
	state = markFinished(state, { id: 'd', status: 'done', now: 10 });
	state = markReleased(state, { id: 'e', serverId: 's2', promptId: 'p-e', now: 4 });
	state = markFinished(state, { id: 'e', status: 'failed', now: 12, error: 'Out of memory' });
	state = markReleased(state, { id: 'b', serverId: 's2', promptId: 'p-b0', now: 5 });
	state = returnToQueue(state, { id: 'b', reason: 'Studio lost it (restarted).' });
	state = pauseItems(state, { ids: ['c'] }).state;
	return state;
}

const running: JobRecord = {
	id: 'p-a',
	serverUrl: 'http://s1/',
	workflow: {},
	status: 'running',
	outputs: [],
	timings: { created: 2 },
	attempts: 1,
	progress: { nodesDone: 1, nodesTotal: 4, cachedNodes: 0 }
};

describe('browserQueueRows', () => {
	const rows = browserQueueRows({
		entries: queue().entries,
		reasons: new Map([
			['b', 'waiting: Studio has 12 queued, threshold 8'],
			['c', 'Paused.']
		]),
		serverNames: new Map([
			['s1', 'Studio'],
			['s2', 'Attic box']
		])
	});

	it('lists pending items in release order, each with where it may run and why it waits', () => {
		expect(rows.pending.map((r) => [r.name, r.status, r.where, r.reason])).toEqual([
			['Portrait', 'waiting', 'Any free server', 'waiting: Studio has 12 queued, threshold 8'],
			[expect.stringMatching(/^Item c/), 'paused', 'A removed server', 'Paused.']
		]);
		expect(rows.pending[0]?.returned).toBe(1);
	});

	it('shows items on a server with where they run and their job', () => {
		expect(rows.inFlight).toHaveLength(1);
		expect(rows.inFlight[0]).toMatchObject({
			name: 'CFG 4',
			templateName: 'Portrait',
			status: 'running',
			where: 'Studio',
			jobId: 'p-a'
		});
	});

	it('lists finished items newest first, with the error of a failed one, up to the recent limit', () => {
		expect(rows.finished.map((r) => [r.name, r.status, r.error])).toEqual([
			['CFG 6', 'failed', 'Out of memory'],
			['CFG 5', 'done', undefined]
		]);
		const one = browserQueueRows({
			entries: queue().entries,
			reasons: new Map(),
			serverNames: new Map(),
			recent: 1
		});
		expect(one.finished.map((r) => r.name)).toEqual(['CFG 6']);
		expect(one.finishedHidden).toBe(1);
	});
});

describe('liveProgress', () => {
	const jobs = { byId: { 'p-a': running }, previews: { 'p-a': { url: 'blob:preview-a' } } };

	it("gives an item on a server its job's progress and newest preview", () => {
		const live = liveProgress({ row: { status: 'running', jobId: 'p-a' }, jobs });
		expect(live.previewUrl).toBe('blob:preview-a');
		expect(live.fraction).toBeGreaterThan(0);
		expect(live.fraction).toBeLessThan(1);
	});

	it('is full once done and empty while waiting or before its job is known', () => {
		expect(liveProgress({ row: { status: 'done', jobId: 'p-a' }, jobs })).toEqual({ fraction: 1 });
		expect(liveProgress({ row: { status: 'waiting' }, jobs })).toEqual({ fraction: 0 });
		expect(liveProgress({ row: { status: 'released', jobId: 'p-x' }, jobs })).toEqual({ fraction: 0 });
		// A failed item shows no stale preview of the job it had.
		expect(liveProgress({ row: { status: 'failed', jobId: 'p-a' }, jobs })).toEqual({ fraction: 0 });
	});
});

describe('createBrowserQueueRows', () => {
	const names = new Map([
		['s1', 'Studio'],
		['s2', 'Attic box']
	]);

	it('keeps the rows and lists of unchanged items, so the view re-renders only what changed', () => {
		const rowsOf = createBrowserQueueRows();
		const before = queue();
		const first = rowsOf({ entries: before.entries, reasons: new Map(), serverNames: names });
		// Item a makes progress on its server: the queue itself is unchanged.
		const again = rowsOf({ entries: before.entries, reasons: new Map(), serverNames: names });
		expect(again.pending).toBe(first.pending);
		expect(again.inFlight).toBe(first.inFlight);
		expect(again.finished).toBe(first.finished);

		// Item a finishes: only its row is new; the waiting list is the same array.
		const after = markFinished(before, { id: 'a', status: 'done', now: 20 });
		const next = rowsOf({ entries: after.entries, reasons: new Map(), serverNames: names });
		expect(next.pending).toBe(first.pending);
		expect(next.inFlight).toEqual([]);
		expect(next.finished.map((r) => [r.name, r.status])).toEqual([
			['CFG 4', 'done'],
			['CFG 6', 'failed'],
			['CFG 5', 'done']
		]);
		expect(next.finished[1]).toBe(first.finished[0]);
	});

	it('gives an item a new row when why it waits or its server name changes', () => {
		const rowsOf = createBrowserQueueRows();
		const { entries } = queue();
		const first = rowsOf({ entries, reasons: new Map(), serverNames: names });
		const waiting = rowsOf({
			entries,
			reasons: new Map([['b', 'waiting: Studio has 12 queued, threshold 8']]),
			serverNames: names
		});
		expect(waiting.pending[0]?.reason).toBe('waiting: Studio has 12 queued, threshold 8');
		expect(waiting.pending[1]).toBe(first.pending[1]);
		const renamed = rowsOf({
			entries,
			reasons: new Map([['b', 'waiting: Studio has 12 queued, threshold 8']]),
			serverNames: new Map([['s1', 'Big box']])
		});
		expect(renamed.inFlight[0]?.where).toBe('Big box');
		expect(renamed.pending).toBe(waiting.pending);
	});
});

describe('tab title', () => {
	it('follows the jobs of the items on a server only', () => {
		expect(inFlightJobIds(queue().entries)).toEqual(['p-a']);
	});

	it('counts finished of all and the work done, items on a server by their progress', () => {
		const summary = summarizeQueue(queue());
		// 5 items, 2 finished, 1 paused (not counted in the share), one running at 25%.
		expect(queueTitlePrefix({ summary, inFlightProgress: 0.25 })).toBe('[2/5 · 56%]');
		expect(withTitlePrefix('Queue · Comfy Deck', '[2/5 · 56%]')).toBe('[2/5 · 56%] Queue · Comfy Deck');
		expect(withTitlePrefix('[1/5 · 20%] Queue · Comfy Deck', '[2/5 · 56%]')).toBe(
			'[2/5 · 56%] Queue · Comfy Deck'
		);
	});

	it('is the plain title once nothing waits or runs', () => {
		let state = addItems(emptyQueue(), { now: 1, items: [{ id: 'x', workflow }] }).state;
		state = markReleased(state, { id: 'x', serverId: 's', promptId: 'p', now: 2 });
		state = markFinished(state, { id: 'x', status: 'done', now: 3 });
		const prefix = queueTitlePrefix({ summary: summarizeQueue(state), inFlightProgress: 0 });
		expect(prefix).toBe('');
		expect(withTitlePrefix('[0/1 · 0%] Comfy Deck', prefix)).toBe('Comfy Deck');
	});
});
