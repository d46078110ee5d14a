import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
	it('doubles from 1 s to a 30 s ceiling without jitter at its low end', () => {
		const delays = [1, 2, 3, 4, 5, 6, 7, 12].map((n) => retryDelayMs(n, { random: () => 0 }));
		expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
	});

	it('stretches each delay by up to half at random, never shortens it', () => {
		expect(retryDelayMs(1, { random: () => 0.999 })).toBe(1500);
		expect(retryDelayMs(10, { random: () => 0.5 })).toBe(37500);
		for (let i = 0; i < 100; i++) {
			const d = retryDelayMs(3);
			expect(d).toBeGreaterThanOrEqual(4000);
			expect(d).toBeLessThanOrEqual(6000);
		}
	});

	it('is 0 while nothing failed', () => {
		expect(retryDelayMs(0)).toBe(0);
	});

	it('gives a dead server at most 7 attempts in its first minute', () => {
		// The first attempt at 0, then the fastest schedule (no jitter).
		let t = 0;
		let attempts = 1;
		for (let failures = 1; ; failures++) {
			t += retryDelayMs(failures, { random: () => 0 });
			if (t > 60_000) break;
			attempts++;
		}
		expect(attempts).toBeLessThanOrEqual(7);
	});
});
