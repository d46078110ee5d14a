import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '$lib/comfy';
import { openDeckDb } from './db';
import {
	createIndexedDbJobStore,
	getJob,
	listJobsNewestFirst,
	listJobsSince,
	listJobsSinceInChunks,
	listUnfinishedJobs,
	putJob,
	updateJobApp,
	type StagedJobs,
	type StoredJob
} from './jobs';

let n = 0;
const open = () => openDeckDb({ name: `jobs-test-${n++}-${Math.random()}` });

const record = (id: string, created: number, status: JobRecord['status'] = 'queued'): JobRecord => ({
	id,
	serverUrl: 'http://box:8188/',
	workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
	status,
	outputs: [],
	timings: { created },
	attempts: 1
});

describe('IndexedDB job store', () => {
	it('keeps the app fields (template, parameters, kept images) while the tracker rewrites the record', async () => {
		const db = open();
		const store = createIndexedDbJobStore({ db, serverId: 's1' });
		const job: StoredJob = {
			...record('p1', 10, 'pending'),
			serverId: 's1',
			createdAt: 10,
			app: { templateId: 't', parameters: { seed: 1 } }
		};
		await putJob(await db, job);
		await store.put({ ...record('p1', 10, 'running') });
		await updateJobApp(await db, 'p1', (app) => ({
			...app,
			images: [{ filename: 'a.png', subfolder: '', type: 'output', hash: 'h' }]
		}));
		await store.put({ ...record('p1', 10, 'succeeded') });

		const stored = await getJob(await db, 'p1');
		expect(stored?.status).toBe('succeeded');
		expect(stored?.app).toEqual({
			templateId: 't',
			parameters: { seed: 1 },
			images: [{ filename: 'a.png', subfolder: '', type: 'output', hash: 'h' }]
		});
		expect((await store.get('p1'))?.status).toBe('succeeded');
	});

	it('writes a staged job whole with the tracker’s first record (one write before the POST), and keeps its app fields after', async () => {
		const db = open();
		const staged: StagedJobs = new Map([
			['p1', { serverId: 'other', app: { templateId: 't', parameters: { seed: 7 } } }]
		]);
		const store = createIndexedDbJobStore({ db, serverId: 's1', staged });

		await store.put(record('p1', 10, 'pending'));
		const first = await getJob(await db, 'p1');
		expect(first?.status).toBe('pending');
		expect(first?.serverId).toBe('other');
		expect(first?.app).toEqual({ templateId: 't', parameters: { seed: 7 } });
		// Used once: later writes merge with what is stored, as for any job.
		expect(staged.size).toBe(0);
		await store.put(record('p1', 10, 'queued'));
		expect((await getJob(await db, 'p1'))?.app).toEqual({ templateId: 't', parameters: { seed: 7 } });
		expect((await getJob(await db, 'p1'))?.status).toBe('queued');
	});

	it('lists only its own server’s jobs to the tracker, and history newest first', async () => {
		const db = open();
		const a = createIndexedDbJobStore({ db, serverId: 'a' });
		const b = createIndexedDbJobStore({ db, serverId: 'b' });
		await a.put(record('old', 1));
		await b.put(record('other', 2));
		await a.put(record('new', 3));
		expect((await a.list()).map((j) => j.id).sort()).toEqual(['new', 'old']);
		expect((await listJobsNewestFirst(await db)).map((j) => j.id)).toEqual(['new', 'other', 'old']);
		expect((await listJobsNewestFirst(await db, { limit: 1 })).map((j) => j.id)).toEqual(['new']);
		await a.delete('old');
		expect(await a.get('old')).toBeUndefined();
	});

	it('lists the unfinished jobs, whatever their server, and none that ended', async () => {
		const db = open();
		const store = createIndexedDbJobStore({ db, serverId: 'a' });
		const statuses: JobRecord['status'][] = [
			'pending',
			'queued',
			'running',
			'succeeded',
			'failed',
			'interrupted',
			'lost'
		];
		for (const [i, status] of statuses.entries()) await store.put(record(status, i, status));
		const ids = (await listUnfinishedJobs(await db)).map((j) => j.id).sort();
		expect(ids).toEqual(['pending', 'queued', 'running']);
	});

	it('reads the jobs since a time in chunks, newest first, as one read would, and stops when told', async () => {
		const db = open();
		const store = createIndexedDbJobStore({ db, serverId: 'a' });
		// Times with ties that straddle chunk boundaries, and some before `since`.
		const times = [1, 2, 5, 5, 5, 6, 7, 7, 8, 9, 9, 9, 9, 10];
		for (const [i, t] of times.entries()) await store.put(record(`j${i}`, t));
		const whole = (await listJobsSince(await db, 5)).map((j) => j.id);
		expect(whole).toHaveLength(12);
		for (const chunkSize of [2, 3, 5, 100]) {
			const chunked = await listJobsSinceInChunks(await db, { since: 5, chunkSize });
			expect(chunked?.map((j) => j.id)).toEqual(whole);
		}
		let reads = 0;
		const stopped = await listJobsSinceInChunks(await db, {
			since: 0,
			chunkSize: 2,
			keepGoing: () => reads++ < 2
		});
		expect(stopped).toBeUndefined();
		expect(reads).toBe(3);
	});
});
