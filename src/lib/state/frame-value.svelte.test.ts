import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameValue } from './frame-value.svelte';

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

describe('FrameValue', () => {
	it('starts at the value read, and shows only the newest of several changes, once the next frame comes', async () => {
		let source = $state(0);
		let value: FrameValue<number> | undefined;
		const stop = $effect.root(() => {
			value = new FrameValue(() => source);
		});
		flushSync();
		expect(value?.current).toBe(0);
		for (const next of [1, 2, 3]) {
			source = next;
			flushSync();
		}
		// Not before the frame: progress messages between two frames cost no render.
		expect(value?.current).toBe(0);
		await frame();
		await frame();
		expect(value?.current).toBe(3);
		stop();
	});
});

describe('FrameValue with everyMs', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('applies the first change on the next frame, then the newest of a burst only everyMs after the last step', () => {
		vi.useFakeTimers({
			toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance']
		});
		let source = $state(0);
		let value: FrameValue<number> | undefined;
		const stop = $effect.root(() => {
			value = new FrameValue(() => source, { everyMs: 250 });
		});
		flushSync();
		source = 1;
		flushSync();
		vi.advanceTimersByTime(20);
		// Nothing shown lately: the first step is not held back.
		expect(value?.current).toBe(1);
		for (const next of [2, 3, 4]) {
			source = next;
			flushSync();
			vi.advanceTimersByTime(50);
		}
		// 150 ms after the step to 1: still 1, three changes cost no render.
		expect(value?.current).toBe(1);
		vi.advanceTimersByTime(150);
		// Past 250 ms (and a frame): the newest of them, not each.
		expect(value?.current).toBe(4);
		stop();
	});
});
