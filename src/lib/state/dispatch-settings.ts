import type { TokenBucketConfig } from '$lib/comfy/batch/throttle';

/** The dispatcher's limits, as Settings hold them. */
export interface DispatchSettings {
	/** Most items released or running per server. */
	maxInFlight: number;
	/** A server whose own queue is longer gets nothing more until it shrinks. */
	queueThreshold: number;
	/** Submissions over all servers: `ratePerSecond` (Infinity: no limit) in bursts of `burst`. */
	bucket: TokenBucketConfig;
}

export const DEFAULT_DISPATCH_SETTINGS: DispatchSettings = {
	maxInFlight: 2,
	queueThreshold: 8,
	bucket: { ratePerSecond: 10, burst: 4 }
};

/** The dispatcher's limits from the app's settings (a rate of 0 means no limit). */
export function dispatchSettingsOf(values: {
	queueMaxInFlight: number;
	queueThreshold: number;
	queueRate: number;
	queueBurst: number;
}): DispatchSettings {
	return {
		maxInFlight: values.queueMaxInFlight,
		queueThreshold: values.queueThreshold,
		bucket: {
			ratePerSecond: values.queueRate > 0 ? values.queueRate : Infinity,
			burst: values.queueBurst
		}
	};
}

/** The queue's settings as Settings stores them. */
export type QueueSettingKey = 'queueMaxInFlight' | 'queueThreshold' | 'queueRate' | 'queueBurst';

const LIMITS: Record<QueueSettingKey, { min: number; max: number; integer: boolean; what: string }> = {
	queueMaxInFlight: { min: 1, max: 64, integer: true, what: 'Items per server' },
	queueThreshold: { min: 0, max: 10_000, integer: true, what: 'The server queue limit' },
	queueRate: { min: 0, max: 1_000, integer: false, what: 'Sends per second' },
	queueBurst: { min: 1, max: 1_000, integer: true, what: 'The burst' }
};

/** Reads a queue setting as typed: its number, or what is wrong with it and what to type instead. */
export function parseQueueSetting(
	key: QueueSettingKey,
	raw: string
): { ok: true; value: number } | { ok: false; message: string } {
	const { min, max, integer, what } = LIMITS[key];
	const text = raw.trim();
	const value = Number(text);
	const kind = integer ? 'a whole number' : 'a number';
	if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
		return { ok: false, message: `${what} must be ${kind} from ${min} to ${max}.` };
	if (value < min || value > max)
		return { ok: false, message: `${what} must be from ${min} to ${max}; ${text} is out of range.` };
	return { ok: true, value };
}
