import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { paced } from './paced';

describe('paced', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('runs the first request at once, then once per window with the newest state, never losing the last', () => {
		let value = 0;
		const seen: number[] = [];
		const writer = paced({ ms: 250, run: () => seen.push(value) });
		value = 1;
		writer.request();
		expect(seen).toEqual([1]);
		for (value = 2; value <= 40; value++) writer.request();
		value = 40;
		expect(seen).toEqual([1]);
		vi.advanceTimersByTime(250);
		expect(seen).toEqual([1, 40]);
		vi.advanceTimersByTime(1_000);
		writer.request();
		expect(seen).toEqual([1, 40, 40]);
	});

	it('drops a pending run when cancelled', () => {
		const run = vi.fn();
		const writer = paced({ ms: 250, run });
		writer.request();
		writer.request();
		writer.cancel();
		vi.advanceTimersByTime(1_000);
		expect(run).toHaveBeenCalledTimes(1);
	});
});
