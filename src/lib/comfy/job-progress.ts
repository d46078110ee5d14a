// How far a job is and how long it has run, for the run's page and its History page (they show the same bar).
import type { JobRecord } from './job-store';

/**
 * Overall progress 0–1: nodes done (cached ones count) plus the running node's steps. A finished job without
 * node counts (answered entirely from the server's cache) is complete; any other job without them has not begun.
 * @param job the job's status and progress, as the tracker reports them.
 */
export function progressFraction(job: Pick<JobRecord, 'status' | 'progress'>): number {
	const p = job.progress;
	if (!p?.nodesTotal) return job.status === 'succeeded' ? 1 : 0;
	const inNode = job.status === 'running' && p.max ? (p.value ?? 0) / p.max : 0;
	return Math.min(1, (p.nodesDone + inNode) / p.nodesTotal);
}

/**
 * Seconds the job has run (from its start, or its creation while it waits), up to now or its end once finished.
 * @param job the job's timings.
 * @param now the current time (ms since epoch): the caller's clock, so a view ticks it.
 */
export function elapsedSeconds(job: Pick<JobRecord, 'timings'>, now: number): number {
	const end = job.timings.finished ?? now;
	return Math.max(0, (end - (job.timings.started ?? job.timings.created)) / 1000);
}
