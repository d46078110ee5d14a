import { untrack } from 'svelte';

/**
 * A value read from reactive state, applied to the view at most once per animation frame, and with `everyMs` at
 * most once per that many ms: a job's progress changes with every socket message (hundreds a second while a batch
 * runs), the screen only once a frame, and a list of runs needs no more than a few steps a second (each step of a
 * row lays out and paints the page again). Create it while a component initialises (it runs an effect); `current`
 * starts at the value read then.
 */
export class FrameValue<T> {
	#current = $state.raw<T>() as T;

	constructor(read: () => T, { everyMs = 0 }: { everyMs?: number } = {}) {
		this.#current = read();
		// When the value was last applied: a change waits until everyMs after it (a burst is one step, not none).
		let applied = -Infinity;
		$effect(() => {
			const next = read();
			if (next === untrack(() => this.#current)) return;
			let frame: number | undefined;
			const apply = () => {
				frame = requestAnimationFrame(() => {
					applied = performance.now();
					this.#current = next;
				});
			};
			const wait = applied + everyMs - performance.now();
			const timer = wait > 0 ? setTimeout(apply, wait) : apply();
			// A newer value before the frame: the frame applies that one instead.
			return () => {
				if (timer !== undefined) clearTimeout(timer);
				if (frame !== undefined) cancelAnimationFrame(frame);
			};
		});
	}

	get current(): T {
		return this.#current;
	}
}
