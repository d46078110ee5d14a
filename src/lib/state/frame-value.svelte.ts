import { untrack } from 'svelte';

/**
 * A value read from reactive state, applied to the view at most once per animation frame: a job's progress changes
 * with every socket message (hundreds a second while a batch runs), the screen only once a frame. Create it while
 * a component initialises (it runs an effect); `current` starts at the value read then.
 */
export class FrameValue<T> {
	#current = $state.raw<T>() as T;

	constructor(read: () => T) {
		this.#current = read();
		$effect(() => {
			const next = read();
			if (next === untrack(() => this.#current)) return;
			const frame = requestAnimationFrame(() => (this.#current = next));
			// A newer value before the frame: the frame applies that one instead.
			return () => cancelAnimationFrame(frame);
		});
	}

	get current(): T {
		return this.#current;
	}
}
