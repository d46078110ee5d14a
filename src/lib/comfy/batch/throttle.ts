/**
 * Backpressure on submissions: a token bucket (at most `burst` at once, then `ratePerSecond`) for all servers
 * together, and a per-server queue threshold past which a server gets nothing more. Pure: time comes in as `now`.
 */

export interface TokenBucketConfig {
	/** Tokens added per second (Infinity = no limit). */
	ratePerSecond: number;
	/** Most tokens held at once: how many submissions may go out back to back. */
	burst: number;
}

export interface TokenBucketState {
	tokens: number;
	updatedAt: number;
}

/** A bucket that starts full. */
export function fullBucket({ config, now }: { config: TokenBucketConfig; now: number }): TokenBucketState {
	return { tokens: Math.max(1, config.burst), updatedAt: now };
}

/** The bucket at `now` (a clock that goes back adds nothing). */
export function refillBucket({
	state,
	config,
	now
}: {
	state: TokenBucketState;
	config: TokenBucketConfig;
	now: number;
}): TokenBucketState {
	const burst = Math.max(1, config.burst);
	const elapsed = Math.max(0, now - state.updatedAt);
	const tokens =
		config.ratePerSecond === Infinity
			? burst
			: Math.min(burst, state.tokens + (elapsed * config.ratePerSecond) / 1000);
	return { tokens, updatedAt: Math.max(now, state.updatedAt) };
}

export type TakeResult =
	| { ok: true; state: TokenBucketState }
	/** `waitMs`: when the next token is there (Infinity with a rate of 0). */
	| { ok: false; state: TokenBucketState; waitMs: number };

/** Takes one token if there is one. */
export function takeToken(options: {
	state: TokenBucketState;
	config: TokenBucketConfig;
	now: number;
}): TakeResult {
	const state = refillBucket(options);
	if (state.tokens >= 1) return { ok: true, state: { ...state, tokens: state.tokens - 1 } };
	const rate = options.config.ratePerSecond;
	const waitMs = rate > 0 ? Math.ceil(((1 - state.tokens) * 1000) / rate) : Infinity;
	return { ok: false, state, waitMs };
}

/** A bucket holding its own state, for a loop; `now` is injected so tests control time. */
export interface TokenBucket {
	/** Takes a token: 0 when one was taken, otherwise the milliseconds until one is there. */
	take(): number;
	/** Tokens available now (fractional). */
	available(): number;
	configure(config: TokenBucketConfig): void;
}

export function createTokenBucket({
	config,
	now
}: {
	config: TokenBucketConfig;
	now: () => number;
}): TokenBucket {
	let current = config;
	let state = fullBucket({ config, now: now() });
	return {
		take() {
			const r = takeToken({ state, config: current, now: now() });
			state = r.state;
			return r.ok ? 0 : r.waitMs;
		},
		available() {
			state = refillBucket({ state, config: current, now: now() });
			return state.tokens;
		},
		configure(next) {
			state = refillBucket({ state, config: current, now: now() });
			current = next;
			state = { ...state, tokens: Math.min(state.tokens, Math.max(1, next.burst)) };
		}
	};
}

export type Backpressure = { ok: true } | { ok: false; reason: string };

/**
 * Whether a server may get another item: not when its own queue (everyone's prompts, ours included) is longer
 * than `threshold`. An unknown queue length does not hold items back; health decides about unknown servers.
 */
export function checkBackpressure({
	serverName,
	queueLength,
	threshold
}: {
	serverName: string;
	queueLength: number | undefined;
	threshold: number;
}): Backpressure {
	if (queueLength === undefined || queueLength <= threshold) return { ok: true };
	return { ok: false, reason: `waiting: ${serverName} has ${queueLength} queued, threshold ${threshold}` };
}
