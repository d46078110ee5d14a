import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
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
