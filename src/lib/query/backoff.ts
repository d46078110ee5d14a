/**
 * How long to wait before asking an unreachable server again: 1 s after the first failure, doubling to a
 * ceiling of 30 s, each delay stretched by up to half at random so that many tabs (or many servers that failed
 * together) do not retry in step. Never below the doubling schedule, so a dead server gets few requests.
 */
export interface RetryScheduleOptions {
	/** The first delay, ms (1 s). */
	baseMs?: number;
	/** The ceiling of the doubling, ms (30 s); with jitter a delay may reach 1.5 times this. */
	capMs?: number;
	/** Uniform random number in [0, 1); injectable for tests. */
	random?: () => number;
}

export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 30_000;

/** The delay after `failures` consecutive failures (1 = the first), in ms; 0 when there was none. */
export function retryDelayMs(failures: number, options: RetryScheduleOptions = {}): number {
	if (failures <= 0) return 0;
	const base = options.baseMs ?? RETRY_BASE_MS;
	const cap = options.capMs ?? RETRY_CAP_MS;
	const random = options.random ?? Math.random;
	const step = Math.min(cap, base * 2 ** Math.min(failures - 1, 30));
	return Math.round(step * (1 + random() / 2));
}
