/** Exponential backoff with full jitter, capped. */
export interface BackoffOptions {
	/** The ceiling of the first delay, in ms. */
	baseMs?: number;
	/** No delay exceeds this, in ms. */
	capMs?: number;
	/** Every delay is at least this (keeps a flapping server from a reconnect storm), in ms. */
	floorMs?: number;
	/** Uniform random number in [0, 1); injectable for tests. */
	random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based): uniform between `floorMs` and
 * `min(capMs, baseMs · 2^attempt)` — "full jitter", so many clients that failed together do not retry together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
	const baseMs = options.baseMs ?? 500;
	const capMs = options.capMs ?? 30_000;
	const random = options.random ?? Math.random;
	const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
	const floor = Math.min(options.floorMs ?? 0, ceiling);
	return Math.round(floor + random() * (ceiling - floor));
}

/** A backoff sequence: `next()` gives the next delay, `reset()` starts over after a success. */
export interface Backoff {
	next(): number;
	reset(): void;
	/** How many delays were handed out since the last reset. */
	readonly attempt: number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
	let attempt = 0;
	return {
		next: () => backoffDelay(attempt++, options),
		reset: () => {
			attempt = 0;
		},
		get attempt() {
			return attempt;
		}
	};
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
