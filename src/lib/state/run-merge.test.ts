import { describe, expect, it } from 'vitest';
import type { StoredJob } from '$lib/storage/jobs';
import { jobRecord } from '$lib/storage/testing/records';
import { mergeChangedRuns } from './run-merge';

/** A run of template sd15 made at 1000 (`over` sets any field). */
function job(id: string, over: Partial<StoredJob> = {}): StoredJob {
	return jobRecord({ id, createdAt: 1000, app: { templateId: 'sd15' }, ...over });
}

const ids = (jobs: StoredJob[]) => jobs.map((j) => j.id);

describe('mergeChangedRuns', () => {
	it('replaces a changed run with its new record, keeping the others as they were', () => {
		const a = job('a', { status: 'running' });
		const b = job('b');
		const merged = mergeChangedRuns({
			stored: [a, b],
			changed: new Map([['a', job('a', { app: { templateId: 'sd15', images: [] } })]]),
			templateId: 'sd15'
		});
		expect(ids(merged)).toEqual(['a', 'b']);
		expect(merged[0]?.status).toBe('succeeded');
		expect(merged[1]).toBe(b);
	});

	it('adds a new run in the place a full read gives it (by id)', () => {
		const merged = mergeChangedRuns({
			stored: [job('a'), job('c')],
			changed: new Map([['b', job('b')]]),
			templateId: 'sd15'
		});
		expect(ids(merged)).toEqual(['a', 'b', 'c']);
	});

	it('drops a run that is gone from the store or moved to another template', () => {
		const merged = mergeChangedRuns({
			stored: [job('a'), job('b'), job('c')],
			changed: new Map<string, StoredJob | undefined>([
				['a', undefined],
				['c', job('c', { app: { templateId: 'other' } })]
			]),
			templateId: 'sd15'
		});
		expect(ids(merged)).toEqual(['b']);
	});

	it('ignores a changed job of another template it never showed', () => {
		const stored = [job('a')];
		const merged = mergeChangedRuns({
			stored,
			changed: new Map([['z', job('z', { app: { templateId: 'other' } })]]),
			templateId: 'sd15'
		});
		expect(ids(merged)).toEqual(['a']);
	});
});
