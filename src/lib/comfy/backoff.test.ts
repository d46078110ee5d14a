import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, createBackoff, sleep } from './backoff';

afterEach(() => vi.useRealTimers());

describe('backoff', () => {
	it('doubles its ceiling each attempt up to the cap', () => {
		const top = { baseMs: 500, capMs: 30_000, random: () => 0.999999 };
		const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i, top));
		expect(delays.slice(0, 7)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
		expect(Math.max(...delays)).toBe(30_000);
	});

	it('is jittered over the whole range (full jitter)', () => {
		const delays = Array.from({ length: 200 }, () => backoffDelay(4, { baseMs: 500, capMs: 30_000 }));
		expect(Math.min(...delays)).toBeLessThan(2000);
		expect(Math.max(...delays)).toBeGreaterThan(6000);
		expect(new Set(delays).size).toBeGreaterThan(50);
		expect(delays.every((d) => d >= 0 && d <= 8000)).toBe(true);
	});

	it('keeps a floor so a flapping server is not hammered', () => {
		expect(backoffDelay(0, { baseMs: 500, floorMs: 250, random: () => 0 })).toBe(250);
	});

	it('grows, and starts over after reset', () => {
		const backoff = createBackoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
		expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
		backoff.reset();
		expect(backoff.next()).toBe(100);
		expect(backoff.attempt).toBe(1);
	});

	it('sleep resolves after the delay and rejects at once on abort', async () => {
		vi.useFakeTimers();
		const done = vi.fn();
		void sleep(1000).then(done);
		await vi.advanceTimersByTimeAsync(999);
		expect(done).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(1);
		expect(done).toHaveBeenCalled();
		const controller = new AbortController();
		const pending = sleep(1000, controller.signal);
		controller.abort(new Error('stop'));
		await expect(pending).rejects.toThrow('stop');
	});
});
