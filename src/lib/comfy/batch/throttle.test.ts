import { describe, expect, it } from 'vitest';
import { checkBackpressure, createTokenBucket, fullBucket, takeToken } from './throttle';

describe('token bucket', () => {
	const config = { ratePerSecond: 2, burst: 3 };

	it('lets a burst through, then one token per 1/rate seconds', () => {
		let state = fullBucket({ config, now: 0 });
		const taken: boolean[] = [];
		for (let i = 0; i < 4; i++) {
			const r = takeToken({ state, config, now: 0 });
			taken.push(r.ok);
			state = r.state;
		}
		expect(taken).toEqual([true, true, true, false]);
		const wait = takeToken({ state, config, now: 0 });
		expect(wait).toMatchObject({ ok: false, waitMs: 500 });
		expect(takeToken({ state, config, now: 499 }).ok).toBe(false);
		expect(takeToken({ state, config, now: 500 }).ok).toBe(true);
	});

	it('never holds more than the burst, and a clock going back adds nothing', () => {
		let clock = 0;
		const bucket = createTokenBucket({ config, now: () => clock });
		bucket.take();
		clock = 60_000;
		expect(bucket.available()).toBe(3);
		for (let i = 0; i < 3; i++) bucket.take();
		clock = 1_000;
		expect(bucket.available()).toBe(0);
		clock = 60_500;
		expect(bucket.available()).toBe(1);
	});

	it('reports the wait until the next token, and Infinity with a rate of 0', () => {
		let clock = 0;
		const bucket = createTokenBucket({ config: { ratePerSecond: 4, burst: 1 }, now: () => clock });
		expect(bucket.take()).toBe(0);
		expect(bucket.take()).toBe(250);
		clock = 100;
		expect(bucket.take()).toBe(150);
		clock = 250;
		expect(bucket.take()).toBe(0);
		bucket.configure({ ratePerSecond: 0, burst: 1 });
		expect(bucket.take()).toBe(Infinity);
	});

	it('has no limit with an infinite rate', () => {
		const bucket = createTokenBucket({ config: { ratePerSecond: Infinity, burst: 1 }, now: () => 0 });
		expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
	});

	it('lowering the burst drops the extra tokens at once', () => {
		const bucket = createTokenBucket({ config: { ratePerSecond: 1, burst: 10 }, now: () => 0 });
		bucket.configure({ ratePerSecond: 1, burst: 2 });
		expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 1000]);
	});
});

describe('checkBackpressure', () => {
	it('holds items for a server whose queue is longer than the threshold, saying why', () => {
		expect(checkBackpressure({ serverName: 'Studio box', queueLength: 12, threshold: 8 })).toEqual({
			ok: false,
			reason: 'waiting: Studio box has 12 queued, threshold 8'
		});
		expect(checkBackpressure({ serverName: 'Studio box', queueLength: 8, threshold: 8 })).toEqual({
			ok: true
		});
		expect(checkBackpressure({ serverName: 'Studio box', queueLength: undefined, threshold: 0 })).toEqual({
			ok: true
		});
	});
});
