import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { JobImage } from '$lib/comfy';
import { useCacheEntry } from '$lib/storage/cache';
import { openDeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { getJob, putJob } from '$lib/storage/jobs';
import { jobRecord } from '$lib/storage/testing/records';
import { keepNamedOutputs, keepRun } from './keep-run';

const file = (filename: string): JobImage => ({ filename, subfolder: '', type: 'output' });
const a = file('caption_00001_.txt');
const b = file('caption_00002_.txt');

/** A server's `/view` that counts what it was asked for; `broken` files fail. */
function server(broken: string[] = []) {
	const asked: string[] = [];
	const bytes = async (output: JobImage) => {
		asked.push(output.filename);
		if (broken.includes(output.filename)) throw new Error('connection reset');
		return new Blob([`text of ${output.filename}`], { type: 'text/plain' });
	};
	return { asked, bytes };
}

async function runningJob() {
	const db = await openDeckDb({ name: `keep-run-${Math.random()}` });
	await putJob(db, jobRecord({ id: 'p1', status: 'running', app: { promptHash: 'h1', templateId: 't' } }));
	return db;
}

type Db = Awaited<ReturnType<typeof runningJob>>;

/** The pass of p1 running when the socket named `a`: the record it left. */
function keepWhileRunning({ db, view }: { db: Db; view: ReturnType<typeof server> }) {
	return keepNamedOutputs({ db, id: 'p1', outputs: [a], bytes: view.bytes, report: () => undefined });
}

/** The end of p1, which made `a`, given the record the last pass of the running job left (`known`). */
function keepEndGiven({
	db,
	view,
	known
}: {
	db: Db;
	view: ReturnType<typeof server>;
	known: Parameters<typeof keepRun>[0]['known'];
}) {
	return keepRun({
		db,
		id: 'p1',
		serverId: 's1',
		live: [a],
		known,
		bytes: view.bytes,
		report: () => undefined,
		cacheBytes: 1e9
	});
}

describe('keeping a run', () => {
	it('keeps each file as the running job names it, in the job order, so a reload before the end loses none', async () => {
		const db = await runningJob();
		const view = server();
		const report = () => undefined;

		await keepNamedOutputs({ db, id: 'p1', outputs: [a], bytes: view.bytes, report });
		let job = await getJob(db, 'p1');
		expect(job?.app.images?.map((i) => i.filename)).toEqual([a.filename]);
		const hash = job?.app.images?.[0]?.hash ?? '';
		expect(await (await getImage(db, hash))?.blob.text()).toBe(`text of ${a.filename}`);
		// The template and prompt hash written before the POST stay.
		expect(job?.app.templateId).toBe('t');

		await keepNamedOutputs({ db, id: 'p1', outputs: [b, a], bytes: view.bytes, report });
		job = await getJob(db, 'p1');
		expect(job?.app.images?.map((i) => i.filename)).toEqual([b.filename, a.filename]);
		expect(view.asked).toEqual([a.filename, b.filename]);
	});

	it('at the end fetches nothing kept already, and fills the result cache', async () => {
		const db = await runningJob();
		const view = server();
		const report = () => undefined;
		await keepNamedOutputs({ db, id: 'p1', outputs: [a, b], bytes: view.bytes, report });
		const before = (await getJob(db, 'p1'))?.app.images;

		const kept = await keepRun({
			db,
			id: 'p1',
			serverId: 's1',
			live: [a, b],
			bytes: view.bytes,
			report,
			cacheBytes: 1e9
		});
		expect(kept).toBe(true);
		expect(view.asked).toEqual([a.filename, b.filename]);
		expect((await getJob(db, 'p1'))?.app.images).toEqual(before);
		expect((await useCacheEntry(db, 'h1'))?.imageHashes).toEqual(before?.map((i) => i.hash));
	});

	it('a file whose bytes cannot be had while it runs is kept at the end', async () => {
		const db = await runningJob();
		const failing = server([b.filename]);
		const reports: string[] = [];
		const report = (message: string) => void reports.push(message);
		await keepNamedOutputs({ db, id: 'p1', outputs: [a, b], bytes: failing.bytes, report });
		expect((await getJob(db, 'p1'))?.app.images?.map((i) => i.filename)).toEqual([a.filename]);

		const view = server();
		await keepRun({ db, id: 'p1', serverId: 's1', live: [a, b], bytes: view.bytes, report, cacheBytes: 1e9 });
		const images = (await getJob(db, 'p1'))?.app.images ?? [];
		expect(images.map((i) => [i.filename, Boolean(i.hash)])).toEqual([
			[a.filename, true],
			[b.filename, true]
		]);
		expect(view.asked).toEqual([b.filename]);
		expect(reports).toEqual([]);
	});

	it('names nothing for a job that is not stored', async () => {
		const db = await openDeckDb({ name: `keep-run-${Math.random()}` });
		const view = server();
		await keepNamedOutputs({ db, id: 'gone', outputs: [a], bytes: view.bytes, report: () => undefined });
		expect(await getJob(db, 'gone')).toBeUndefined();
		expect(view.asked).toEqual([]);
	});

	it('at the end of a run kept while it ran, reads its record no more when given the last pass', async () => {
		const db = await runningJob();
		const view = server();
		const known = await keepWhileRunning({ db, view });
		expect(known?.app.images?.map((i) => i.filename)).toEqual([a.filename]);
		const get = db.get.bind(db);
		const reads = vi.spyOn(db, 'get').mockImplementation((...args) => get(...args));

		const kept = await keepEndGiven({ db, view, known });
		expect(kept).toBe(true);
		expect(reads.mock.calls.filter(([store]) => store === 'jobs')).toEqual([]);
		expect(view.asked).toEqual([a.filename]);
		// The prompt hash came from the copy: the cache is filled as after a read.
		expect((await useCacheEntry(db, 'h1'))?.imageHashes).toEqual(known?.app.images?.map((i) => i.hash));
	});

	it('does not cache a run deleted after the last pass, whose copy it was given', async () => {
		const db = await runningJob();
		const view = server();
		const known = await keepWhileRunning({ db, view });
		await db.delete('jobs', 'p1');

		const kept = await keepEndGiven({ db, view, known });
		expect(kept).toBe(false);
		expect(await useCacheEntry(db, 'h1')).toBeUndefined();
	});
});
