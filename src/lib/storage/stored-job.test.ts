import { describe, expect, it } from 'vitest';
import { migrateStoredJob, readStoredJob } from './stored-job';
import { jobRecord } from './testing/records';

describe('migrateStoredJob', () => {
	it('gives a record without the app part (the core wrote it, or a backup left it out) an empty one', () => {
		const { app: _app, ...bare } = jobRecord({ id: 'a' });
		expect(migrateStoredJob(bare)).toEqual(jobRecord({ id: 'a' }));
	});

	it('takes the creation time from whichever of createdAt and timings.created is there', () => {
		expect(migrateStoredJob({ id: 'a', timings: { created: 7 } })).toMatchObject({
			createdAt: 7,
			timings: { created: 7 }
		});
		expect(migrateStoredJob({ id: 'b', createdAt: 9 })).toMatchObject({
			createdAt: 9,
			timings: { created: 9 }
		});
	});

	it('fills missing outputs and attempts, and turns a text error into an error record', () => {
		expect(migrateStoredJob({ id: 'a', status: 'failed', error: 'CUDA out of memory' })).toMatchObject({
			outputs: [],
			attempts: 1,
			error: { kind: 'unknown', message: 'CUDA out of memory' }
		});
		expect(migrateStoredJob({ id: 'b', status: 'pending' })).toMatchObject({ attempts: 0 });
	});

	it('leaves what it cannot fix, and the input, alone', () => {
		const input = { id: 'a', status: 'succeeded', timings: { started: 1 } };
		const copy = structuredClone(input);
		migrateStoredJob(input);
		expect(input).toEqual(copy);
		expect(migrateStoredJob('not a record')).toBe('not a record');
		expect(migrateStoredJob(null)).toBeNull();
	});
});

describe('readStoredJob', () => {
	it('reads a current record as it is, unknown fields included', () => {
		const job = { ...jobRecord({ id: 'a', app: { tags: ['sky'] } }), fromANewerBuild: true };
		expect(readStoredJob(job)).toEqual({ ok: true, job });
	});

	it('reads an older record through the migration', () => {
		const { app: _app, attempts: _attempts, ...old } = jobRecord({ id: 'old' });
		const read = readStoredJob(old);
		expect(read.ok && read.job.app).toEqual({});
	});

	it('refuses a record it cannot read, saying which one and what is wrong', () => {
		expect(readStoredJob({ ...jobRecord({ id: 'x' }), status: 'exploded' })).toEqual({
			ok: false,
			key: 'x',
			problem: expect.stringMatching(/^status: Invalid option: expected one of "pending"\|"queued"/)
		});
		expect(readStoredJob({ ...jobRecord({ id: 'y' }), serverId: undefined })).toEqual({
			ok: false,
			key: 'y',
			problem: 'serverId: Invalid input: expected string, received undefined'
		});
		expect(readStoredJob(42)).toMatchObject({ ok: false, key: '(no id)' });
	});
});
