import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { putJob, type StoredJob } from '$lib/storage/jobs';
import { jobRecord } from '$lib/storage/testing/records';
import { HistoryChanges } from './history-changes';
import { LatestRunReader, newestShowable, type HistoryFeed } from './latest-run';

/** A run of template sd15 made at 1000 (`over` sets any field). */
function job(id: string, over: Partial<StoredJob> = {}): StoredJob {
	return jobRecord({ id, createdAt: 1000, app: { templateId: 'sd15' }, ...over });
}

const shown = (id: string, createdAt: number, templateId = 'sd15') =>
	job(id, {
		createdAt,
		app: { templateId, images: [{ filename: `${id}.png`, subfolder: '', type: 'output', hash: id }] }
	});

describe('newestShowable', () => {
	it('picks the newest success with kept images, skipping failures and runs without images', () => {
		const picked = newestShowable([
			shown('old', 1000),
			job('no-images', { createdAt: 5000 }),
			{ ...shown('failed', 6000), status: 'failed' },
			undefined,
			shown('new', 3000)
		]);
		expect(picked?.id).toBe('new');
		expect(newestShowable([job('x')])).toBeUndefined();
	});
});

describe('LatestRunReader', () => {
	it('after a look that found nothing, reads only the jobs a change names; all again after an unnamed one', async () => {
		const db = await openDeckDb({ name: `latest-${Math.random().toString(36).slice(2)}` });
		const changes = new HistoryChanges();
		const history: HistoryFeed & { historyVersion: number } = {
			historyVersion: 0,
			changesSince: (since) => changes.since(since, history.historyVersion)
		};
		const bump = (ids: string[] | null) => changes.add(++history.historyVersion, ids);
		const reader = new LatestRunReader();
		const find = () => reader.find({ db, templateId: 'sd15', history });

		await putJob(db, job('running', { status: 'running' }));
		expect(await find()).toBeUndefined();

		// Kept without telling: a change about another job does not read it.
		await putJob(db, shown('quiet', 2000));
		await putJob(db, shown('elsewhere', 3000, 'flux'));
		bump(['elsewhere']);
		expect(await find()).toBeUndefined();

		await putJob(db, shown('named', 1500));
		bump(['named']);
		expect((await find())?.id).toBe('named');

		// Found (the panel shows it, or looks again in full when it could not).
		bump(null);
		expect((await find())?.id).toBe('quiet');
	});
});
