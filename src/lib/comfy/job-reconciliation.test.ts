import { describe, expect, it } from 'vitest';
import type { ServerView } from './job-events';
import {
	confirmDelayMs,
	decideFromServer,
	endedOnSocket,
	finishedRecord,
	needsReconcile
} from './job-reconciliation';
import type { JobRecord } from './job-store';

const job = (changes: Partial<JobRecord> = {}): JobRecord => ({
	id: '11111111-1111-4111-8111-111111111111',
	serverUrl: 'http://box:8188/',
	workflow: { '1': { class_type: 'EmptyImage', inputs: {} }, '2': { class_type: 'SaveImage', inputs: {} } },
	status: 'queued',
	outputs: [],
	timings: { created: 1 },
	attempts: 1,
	...changes
});

const unknown: ServerView = { kind: 'unknown' };
const decide = (
	record: JobRecord,
	view: ServerView,
	{ misses = 2, seenOnOpenSocket = false }: { misses?: number; seenOnOpenSocket?: boolean } = {}
) => decideFromServer({ job: record, view, unknownAnswersInARow: misses, seenOnOpenSocket });

describe('needsReconcile', () => {
	it('asks about unfinished jobs that were sent, and timed-out ones (they may still end), not about finished ones', () => {
		expect(needsReconcile(job({ status: 'queued' }))).toBe(true);
		expect(needsReconcile(job({ status: 'running' }))).toBe(true);
		expect(needsReconcile(job({ status: 'pending', attempts: 1 }))).toBe(true);
		expect(needsReconcile(job({ status: 'failed', error: { kind: 'timeout', message: 'silent' } }))).toBe(
			true
		);
	});

	it('leaves alone a job never sent (nothing to ask the server) and jobs that really ended', () => {
		expect(needsReconcile(job({ status: 'pending', attempts: 0 }))).toBe(false);
		expect(needsReconcile(job({ status: 'succeeded' }))).toBe(false);
		expect(needsReconcile(job({ status: 'lost' }))).toBe(false);
		expect(needsReconcile(job({ status: 'failed', error: { kind: 'execution', message: 'boom' } }))).toBe(
			false
		);
	});
});

describe('endedOnSocket', () => {
	const image = { filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', nodeId: '2' };
	const progress = (nodesDone: number, nodesTotal: number) => ({ nodesDone, nodesTotal, cachedNodes: 0 });

	it('is true once every node finished and the socket named what the job made (a picture or a text)', () => {
		expect(endedOnSocket(job({ progress: progress(2, 2), outputs: [image] }))).toBe(true);
		expect(endedOnSocket(job({ progress: progress(2, 2), texts: { '2': ['a caption'] } }))).toBe(true);
	});

	it('is false while a node is left, when nothing was named, and before any progress arrived', () => {
		expect(endedOnSocket(job({ progress: progress(1, 2), outputs: [image] }))).toBe(false);
		expect(endedOnSocket(job({ progress: progress(2, 2) }))).toBe(false);
		expect(endedOnSocket(job({ outputs: [image] }))).toBe(false);
		expect(endedOnSocket(job({ progress: progress(0, 0), outputs: [image] }))).toBe(false);
	});
});

describe('decideFromServer: "How jobs stay found"', () => {
	it('does not believe one "unknown" about a queued or running job: it may be moving from queue to history', () => {
		expect(decide(job({ status: 'queued' }), unknown, { misses: 1 })).toEqual({ kind: 'ask-again' });
		expect(decide(job({ status: 'running' }), unknown, { misses: 1 })).toEqual({ kind: 'ask-again' });
	});

	it('settles an unconfirmed send (pending) on the second "unknown" as never received, not as forgotten', () => {
		// The first may come while the server still validates the POST (a reload mid-send): it is asked again.
		expect(decide(job({ status: 'pending' }), unknown, { misses: 1 })).toEqual({ kind: 'ask-again' });
		expect(decide(job({ status: 'pending' }), unknown, { misses: 2 })).toEqual({ kind: 'not-received' });
		// Only a job the server had accepted (queued, running) was forgotten.
		expect(decide(job({ status: 'queued' }), unknown, { misses: 2 })).toEqual({ kind: 'lost' });
	});

	it('adopts an unconfirmed send the server has, instead of sending it again', () => {
		expect(decide(job({ status: 'pending' }), { kind: 'queued', number: 3 })).toEqual({
			kind: 'adopted',
			status: 'queued',
			move: true
		});
	});

	it('ends a job cancelled from here "cancelled" as soon as the server does not know it', () => {
		expect(decide(job({ cancelRequested: true }), unknown, { misses: 1 })).toEqual({ kind: 'cancelled' });
	});

	it('calls a queued job gone while the socket that saw it is still open "removed", not lost', () => {
		expect(decide(job({ status: 'queued' }), unknown, { seenOnOpenSocket: true })).toEqual({
			kind: 'removed'
		});
	});

	it('calls it lost when the socket dropped since (a restart drops the socket), and a running job always', () => {
		expect(decide(job({ status: 'queued' }), unknown)).toEqual({ kind: 'lost' });
		expect(decide(job({ status: 'running' }), unknown, { seenOnOpenSocket: true })).toEqual({ kind: 'lost' });
	});

	it('does not call lost a job the socket saw end with its files named: those are on the server’s disk', () => {
		const image = { filename: 'out_00001_.png', subfolder: '', type: 'output' };
		const ended = job({
			status: 'running',
			outputs: [image],
			progress: { nodesDone: 2, nodesTotal: 2, cachedNodes: 0 }
		});
		expect(decide(ended, unknown)).toEqual({ kind: 'ended-on-socket' });
		// Even a late cancel: it ran to the end anyway.
		expect(decide({ ...ended, cancelRequested: true }, unknown)).toEqual({ kind: 'ended-on-socket' });
		// One "unknown" is still only a job moving to history.
		expect(decide(ended, unknown, { misses: 1 })).toEqual({ kind: 'ask-again' });
	});

	it('still calls lost a job cut before its last node, or one that named nothing', () => {
		const image = { filename: 'out_00001_.png', subfolder: '', type: 'output' };
		const cut = job({
			status: 'running',
			outputs: [image],
			progress: { nodesDone: 1, nodesTotal: 2, cachedNodes: 0 }
		});
		expect(decide(cut, unknown)).toEqual({ kind: 'lost' });
		const empty = job({ status: 'running', progress: { nodesDone: 2, nodesTotal: 2, cachedNodes: 0 } });
		expect(decide(empty, unknown)).toEqual({ kind: 'lost' });
	});

	it('only moves a job forward: a queued answer does not undo running, a running answer moves it on', () => {
		expect(decide(job({ status: 'running' }), { kind: 'queued' })).toMatchObject({ move: false });
		expect(decide(job({ status: 'queued' }), { kind: 'queued' })).toMatchObject({ move: false });
		expect(decide(job({ status: 'queued' }), { kind: 'running' })).toEqual({
			kind: 'adopted',
			status: 'running',
			move: true
		});
	});

	it('revives a timed-out job the server is still running', () => {
		const timedOut = job({ status: 'failed', error: { kind: 'timeout', message: 'silent' } });
		expect(decide(timedOut, { kind: 'running' })).toMatchObject({ kind: 'adopted', move: true });
	});

	it('takes the end state from the server, whatever the socket said', () => {
		const done: ServerView = { kind: 'done', status: 'failed' };
		expect(decide(job({ status: 'running' }), done)).toEqual({ kind: 'finished' });
	});
});

describe('finishedRecord', () => {
	it('records the images and texts of the outputs, full progress, and the server’s times', () => {
		const record = finishedRecord({
			job: job({ status: 'running', progress: { nodesDone: 1, nodesTotal: 2, cachedNodes: 1 } }),
			view: { kind: 'done', status: 'succeeded', started: 10, finished: 20 },
			outputs: {
				'2': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }], text: ['hi'] }
			},
			now: 99
		});
		expect(record).toMatchObject({
			status: 'succeeded',
			outputs: [{ filename: 'a.png', nodeId: '2' }],
			texts: { '2': ['hi'] },
			progress: { nodesDone: 2, nodesTotal: 2, cachedNodes: 1 },
			timings: { started: 10, finished: 20 }
		});
	});

	it('keeps the images the socket brought when the answer has none, and ends now when the server gave no time', () => {
		const image = { filename: 'seen.png', subfolder: '', type: 'output' };
		const record = finishedRecord({
			job: job({ status: 'running', outputs: [image] }),
			view: { kind: 'done', status: 'interrupted', error: { kind: 'interrupted', message: 'stopped' } },
			outputs: undefined,
			now: 99
		});
		expect(record).toMatchObject({ status: 'interrupted', outputs: [image], timings: { finished: 99 } });
		expect(record.error?.message).toBe('stopped');
	});
});

describe('confirmDelayMs', () => {
	it('looks again sooner first, then backs off to at most 4 s while the history is not written', () => {
		expect([1, 2, 3, 4, 8].map(confirmDelayMs)).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
	});
});
