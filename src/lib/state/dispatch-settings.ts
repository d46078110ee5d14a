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
