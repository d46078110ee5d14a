import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { putJob, type StoredJob } from '$lib/storage/jobs';
import { jobRecord } from '$lib/storage/testing/records';
import { HistoryChanges } from './history-changes';
import { RunListState, type RunListJobs } from './run-list.svelte';

/** A run of template sd15 made at 1000 (`over` sets any field). */
function job(id: string, over: Partial<StoredJob> = {}): StoredJob {
	return jobRecord({ id, status: 'queued', createdAt: 1000, app: { templateId: 'sd15' }, ...over });
}

/** A history like the app's: each announce bumps the version, naming its jobs or not. */
function setup() {
	const db = openDeckDb({ name: `run-changes-${Math.random().toString(36).slice(2)}` });
	const changes = new HistoryChanges();
	const jobs: RunListJobs & { version: number } = {
		byId: {},
		previews: {},
		version: 0,
		get historyVersion() {
			return this.version;
		},
		changesSince: (since) => changes.since(since, jobs.version)
	};
	const list = new RunListState({ templateId: 'sd15', db, jobs, cancelJob: async () => undefined });
	return {
		list,
		db,
		async announce(ids: string[] | null) {
			jobs.version++;
			changes.add(jobs.version, ids);
			await list.load();
		}
	};
}

const statuses = (list: RunListState) => list.runs.map((r) => [r.id, r.status]).sort();

describe('RunListState after history changes', () => {
	it('reads only the jobs a change names, and everything again after an unnamed change', async () => {
		const h = setup();
		const db = await h.db;
		await putJob(db, job('a'));
		await h.list.load();
		expect(statuses(h.list)).toEqual([['a', 'queued']]);

		await putJob(db, job('a', { status: 'succeeded' }));
		await putJob(db, job('b', { createdAt: 2000 }));
		// Written without telling anyone: a change about `b` alone reads `b`, not `a`.
		await h.announce(['b']);
		expect(statuses(h.list)).toEqual([
			['a', 'queued'],
			['b', 'queued']
		]);

		// Another tab, or a change nobody named: the whole template is read again.
		await h.announce(null);
		expect(statuses(h.list)).toEqual([
			['a', 'succeeded'],
			['b', 'queued']
		]);
	});

	it('drops a deleted run and keeps the order of a full read', async () => {
		const h = setup();
		const db = await h.db;
		await putJob(db, job('a', { createdAt: 1000 }));
		await putJob(db, job('b', { createdAt: 2000, status: 'succeeded' }));
		await h.list.load();
		await putJob(db, job('c', { createdAt: 3000, status: 'running' }));
		await db.delete('jobs', 'a');
		await h.announce(['c', 'a']);
		const merged = h.list.runs.map((r) => r.id);
		expect(merged).toEqual(['c', 'b']);

		await h.announce(null);
		expect(h.list.runs.map((r) => r.id)).toEqual(merged);
	});

	it('applies every change made while a read was under way', async () => {
		const h = setup();
		const db = await h.db;
		await h.list.load();
		await putJob(db, job('a'));
		await putJob(db, job('b'));
		const first = h.announce(['a']);
		const second = h.announce(['b']);
		await Promise.all([first, second]);
		// The second change came while the first read ran: it is read right after.
		await h.list.load();
		expect(statuses(h.list)).toEqual([
			['a', 'queued'],
			['b', 'queued']
		]);
	});
});
