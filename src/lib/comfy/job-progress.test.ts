import { describe, expect, it } from 'vitest';
import type { JobProgress } from './job-store';
import { elapsedSeconds, progressFraction } from './job-progress';

const progress = (over: Partial<JobProgress>): JobProgress => ({
	nodesDone: 0,
	nodesTotal: 4,
	cachedNodes: 0,
	...over
});

describe('progressFraction', () => {
	it('counts finished nodes and the steps of the running one', () => {
		expect(
			progressFraction({ status: 'running', progress: progress({ nodesDone: 1, value: 10, max: 20 }) })
		).toBe(0.375);
	});

	it('ignores step counts once the job is no longer running', () => {
		const p = progress({ nodesDone: 2, value: 10, max: 20 });
		expect(progressFraction({ status: 'interrupted', progress: p })).toBe(0.5);
	});

	it('never goes past the end, even if the server counts more nodes than it announced', () => {
		expect(
			progressFraction({ status: 'running', progress: progress({ nodesDone: 4, value: 5, max: 5 }) })
		).toBe(1);
	});

	it('is complete for a success without node counts (all cached) and empty for anything else', () => {
		expect(progressFraction({ status: 'succeeded' })).toBe(1);
		expect(progressFraction({ status: 'queued' })).toBe(0);
		expect(progressFraction({ status: 'running', progress: progress({ nodesTotal: 0 }) })).toBe(0);
	});
});

describe('elapsedSeconds', () => {
	it('runs from the start to now, or to the end once finished', () => {
		expect(elapsedSeconds({ timings: { created: 0, started: 2000 } }, 5000)).toBe(3);
		expect(elapsedSeconds({ timings: { created: 0, started: 2000, finished: 4500 } }, 9000)).toBe(2.5);
	});

	it('counts from creation while the job waits, and never below zero', () => {
		expect(elapsedSeconds({ timings: { created: 1000 } }, 4000)).toBe(3);
		expect(elapsedSeconds({ timings: { created: 5000 } }, 4000)).toBe(0);
	});
});
