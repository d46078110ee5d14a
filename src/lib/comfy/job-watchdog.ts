/**
 * The watchdog: a one-second ticker, running only while some job is unfinished, that checks jobs the socket is
 * silent about and times out a job only after silence of both the socket and the queue, never by wall time.
 */
import { ComfyJobTimeoutError } from './errors';
import type { TrackedRuntime } from './job-registry';
import { isTerminal, type JobRecord } from './job-store';
import type { JobTrackerContext } from './job-tracker-context';

const TICK_MS = 1_000;
/** The longest wait between polls of a job whose server does not answer. */
export const POLL_CAP_MS = 30_000;

/** The wait before polling a job again while the socket is down: `pollMs`, doubling with each check that failed. */
export function pollIntervalMs(options: { pollMs: number; failedChecksInARow: number }): number {
	return Math.min(
		options.pollMs * 2 ** Math.min(options.failedChecksInARow, 16),
		Math.max(POLL_CAP_MS, options.pollMs)
	);
}

export interface WatchdogLimits {
	/** Check a job over REST after this much silence about it. */
	checkAfterMs: number;
	/** How often to poll unfinished jobs while the socket is down. */
	pollMs: number;
	/** Fail a job after this much silence of both the socket and the queue. */
	silenceTimeoutMs: number;
}

/**
 * What one tick does for a job: `check` it over REST, `timeout` it, or nothing (`wait`). Finished jobs, jobs being
 * sent and jobs never sent are left alone.
 */
export function watchdogVerdict(options: {
	job: JobRecord;
	runtime: Pick<
		TrackedRuntime,
		'submitting' | 'lastSignOfLifeAt' | 'lastServerCheckAt' | 'failedChecksInARow'
	>;
	now: number;
	socketOpen: boolean;
	limits: WatchdogLimits;
}): 'wait' | 'check' | 'timeout' {
	const { job, runtime, now, limits } = options;
	if (isTerminal(job.status)) return 'wait';
	if (runtime.submitting || (job.status === 'pending' && job.attempts === 0)) return 'wait';
	const silence = now - runtime.lastSignOfLifeAt;
	if (silence >= limits.silenceTimeoutMs) return 'timeout';
	const sinceCheck = now - runtime.lastServerCheckAt;
	// A server that does not answer (down, or a failed check kept its client for this job) is asked less and less
	// often, not every `pollMs` for as long as it is away.
	const pollEvery = pollIntervalMs({ pollMs: limits.pollMs, failedChecksInARow: runtime.failedChecksInARow });
	const pollWhileDown = !options.socketOpen && sinceCheck >= pollEvery;
	const checkSilent = silence >= limits.checkAfterMs && sinceCheck >= limits.checkAfterMs;
	return pollWhileDown || checkSilent ? 'check' : 'wait';
}

export function createWatchdog(options: {
	context: JobTrackerContext;
	limits: WatchdogLimits;
	check: (id: string) => void;
}) {
	const { context, limits } = options;
	const { registry, logger, now } = context;
	let ticker: ReturnType<typeof setInterval> | undefined;

	function tick() {
		const at = now();
		const socketOpen = context.socket.state === 'open';
		for (const job of registry.all()) {
			const runtime = registry.runtimeOf(job.id);
			const verdict = watchdogVerdict({ job, runtime, now: at, socketOpen, limits });
			if (verdict === 'check') options.check(job.id);
			if (verdict !== 'timeout') continue;
			const silenceMs = at - runtime.lastSignOfLifeAt;
			logger?.warn('jobs', `job ${job.id}: no sign of life for ${Math.round(silenceMs / 1000)} s`);
			const timeout = new ComfyJobTimeoutError({ promptId: job.id, silenceMs });
			registry.fail(job.id, { kind: 'timeout', message: timeout.message, hint: timeout.hint, silenceMs });
		}
	}

	return {
		/** Starts the ticker while some job is unfinished, stops it when none is (or the tracker closed). */
		sync() {
			const active = !context.closed && registry.all().some((job) => !isTerminal(job.status));
			if (active && !ticker) ticker = setInterval(tick, TICK_MS);
			if (!active && ticker) {
				clearInterval(ticker);
				ticker = undefined;
			}
		}
	};
}
