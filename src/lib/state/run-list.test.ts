import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { putJob, type StoredJob } from '$lib/storage/jobs';
import type { QueueEntry } from '$lib/comfy/batch';
import { liveJob } from './testing/live-job';
import { RunListState, waitingRunsOf, type RunListJobs, type WaitingRun } from './run-list.svelte';

let n = 0;

function job(id: string, over: Partial<StoredJob> = {}): StoredJob {
	const created = over.createdAt ?? 1000;
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {},
		status: 'succeeded',
		outputs: [],
		timings: { created },
		attempts: 1,
		serverId: 's1',
		createdAt: created,
		app: { templateId: 'sd15' },
		...over
	};
}

function setup({
	stored = [],
	live = {},
	waiting = [],
	limit
}: {
	stored?: StoredJob[];
	live?: RunListJobs['byId'];
	waiting?: WaitingRun[];
	limit?: number;
} = {}) {
	const db = openDeckDb({ name: `run-list-${n++}-${Math.random().toString(36).slice(2)}` });
	const cancelled: { id: string; serverId: string }[] = [];
	const removed: string[][] = [];
	const jobs: RunListJobs = { byId: live, previews: {} };
	const list = new RunListState({
		templateId: 'sd15',
		db,
		jobs,
		waiting: () => waiting,
		cancelJob: async (j) => void cancelled.push(j),
		removeWaiting: (ids) => void removed.push(ids),
		limit
	});
	return {
		list,
		cancelled,
		removed,
		async store() {
			const open = await db;
			for (const j of stored) await putJob(open, j);
			await list.load();
		}
	};
}

// The run list's own server here is s2.
const onS2 = { serverId: 's2' };

describe('RunListState', () => {
	it("lists every run of the template from IndexedDB, not other templates' runs, running before finished", async () => {
		const h = setup({
			stored: [
				job('a', { createdAt: 1000 }),
				job('b', { createdAt: 2000, status: 'running' }),
				job('c', { createdAt: 3000 }),
				job('other', { createdAt: 4000, app: { templateId: 'flux' } })
			]
		});
		await h.store();
		expect(h.list.runs.map((r) => [r.id, r.status])).toEqual([
			['b', 'running'],
			['c', 'succeeded'],
			['a', 'succeeded']
		]);
		expect(h.list.counts).toEqual({ total: 3, active: 1, succeeded: 2, failed: 0 });
	});

	it('orders runs of a batch sent in the same millisecond by their number, newest first (Run 10 before Run 9)', async () => {
		const batchItem = (id: string, label: string) =>
			job(id, { createdAt: 5000, app: { templateId: 'sd15', label, groupId: 'g' } as StoredJob['app'] });
		const h = setup({
			stored: [
				batchItem('p1', 'Run 1'),
				batchItem('p2', 'Run 2'),
				batchItem('p9', 'Run 9'),
				batchItem('p10', 'Run 10')
			]
		});
		await h.store();
		expect(h.list.runs.map((r) => r.label)).toEqual(['Run 10', 'Run 9', 'Run 2', 'Run 1']);
	});

	it('shows the live status over the stored one, and a live run not stored yet', async () => {
		const h = setup({
			stored: [job('a', { status: 'queued' })],
			live: {
				a: liveJob('a', 'running', onS2),
				fresh: liveJob('fresh', 'queued', { ...onS2, created: 9000 })
			}
		});
		await h.store();
		const runs = h.list.runs;
		expect(runs.find((r) => r.id === 'a')?.status).toBe('running');
		expect(runs.find((r) => r.id === 'fresh')).toMatchObject({ status: 'queued', serverId: 's2' });
	});

	it('keeps the label, group and first kept image of a batch item', async () => {
		const h = setup({
			stored: [
				job('a', {
					app: {
						templateId: 'sd15',
						label: 'CFG 5.5',
						groupId: 'g1',
						images: [
							{ filename: 'x.png', subfolder: '', type: 'output' },
							{ filename: 'y.png', subfolder: '', type: 'output', hash: 'h2' }
						]
					} as StoredJob['app']
				})
			]
		});
		await h.store();
		expect(h.list.runs[0]).toMatchObject({ label: 'CFG 5.5', groupId: 'g1', thumbHash: 'h2', fraction: 1 });
	});

	it('shows items waiting in the browser queue once, and as the job (with the queue label) once sent', async () => {
		const h = setup({
			stored: [job('p1', { status: 'queued', createdAt: 2000 })],
			waiting: [
				{ id: 'i1', createdAt: 1000, label: 'Seed 1', promptId: 'p1' },
				{ id: 'i2', createdAt: 1001, label: 'Seed 2' }
			]
		});
		await h.store();
		expect(h.list.runs.map((r) => [r.id, r.status, r.label])).toEqual([
			['p1', 'queued', 'Seed 1'],
			['i2', 'waiting', 'Seed 2']
		]);
	});

	it('cancels exactly the run asked for: a queued job on its server, a waiting item out of the browser queue', async () => {
		const h = setup({
			stored: [
				job('run', { status: 'running', createdAt: 1 }),
				job('q1', { status: 'queued', createdAt: 2 }),
				job('q2', { status: 'queued', createdAt: 3 }),
				job('done', { createdAt: 4 })
			],
			waiting: [{ id: 'w1', createdAt: 5 }]
		});
		await h.store();
		await h.list.cancel('q1');
		expect(h.cancelled).toEqual([{ id: 'q1', serverId: 's1' }]);
		await h.list.cancel('w1');
		expect(h.removed).toEqual([['w1']]);
		// A finished run has nothing to cancel.
		await h.list.cancel('done');
		expect(h.cancelled).toHaveLength(1);
	});

	it('shows at most `limit` finished runs but every unfinished one', async () => {
		const stored = Array.from({ length: 6 }, (_, i) => job(`d${i}`, { createdAt: 100 + i }));
		stored.push(job('old-running', { status: 'running', createdAt: 1 }));
		const h = setup({ stored, limit: 2 });
		await h.store();
		expect(h.list.runs.map((r) => r.id)).toEqual(['old-running', 'd5', 'd4']);
	});

	it('reads again after a change that came while reading, once', async () => {
		const h = setup({ stored: [job('a')] });
		await h.store();
		const first = h.list.load();
		const second = h.list.load();
		const third = h.list.load();
		expect(second).toBe(first);
		expect(third).toBe(first);
		await first;
		expect(h.list.runs).toHaveLength(1);
	});

	it("takes this template's items from the browser queue while they wait or run, not other templates' or ended ones", () => {
		const entry = (id: string, over: Partial<QueueEntry>): QueueEntry => ({
			id,
			status: 'waiting',
			priority: 0,
			target: { kind: 'any' },
			workflow: {},
			createdAt: 10,
			attempts: [],
			app: { templateId: 'sd15' },
			...over
		});
		const queue = {
			entries: [
				entry('a', { label: 'CFG 5', group: { id: 'g1', key: 'z0-y0-x0-r0-n0' } }),
				entry('b', { status: 'released', promptId: 'p-b' }),
				entry('c', { status: 'paused' }),
				entry('d', { status: 'done', promptId: 'p-d' }),
				entry('e', { app: { templateId: 'other' } })
			],
			remove: () => []
		};
		expect(waitingRunsOf({ queue, templateId: 'sd15' })).toEqual([
			{ id: 'a', createdAt: 10, label: 'CFG 5', groupId: 'g1' },
			{ id: 'b', createdAt: 10, promptId: 'p-b' },
			{ id: 'c', createdAt: 10 }
		]);
	});
});
