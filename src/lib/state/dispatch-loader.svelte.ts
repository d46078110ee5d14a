/**
 * The browser queue (`DispatchState`), loaded only when something needs it: a view that shows or fills the queue,
 * or a stored queue with work to resume (looked for right after the first paint). The landing route's first load
 * carries none of it; the layout starts the queue once it is loaded and the app has started.
 */
import type { QueueEntry } from '$lib/comfy/batch/queue';
import { storedQueueHasWork } from '$lib/storage/browser-queue-peek';
import { errorMessage } from '$lib/util/error-message';
import type { DispatchState, DispatchStateOptions } from './dispatch.svelte';
import type { DispatchSettings } from './dispatch-settings';

export class DispatchLoader {
	#current = $state.raw<DispatchState | undefined>();
	#error = $state<string | null>(null);
	// The stored queue was looked for (by `resumeIfStored`) or the queue loaded: before, its work is not known.
	#looked = $state(false);
	#loading: Promise<DispatchState | undefined> | undefined;
	#options: DispatchStateOptions;
	#settings: DispatchSettings | undefined;

	constructor(options: DispatchStateOptions) {
		this.#options = options;
	}

	/** The browser queue once loaded (reactive), else undefined. */
	get current(): DispatchState | undefined {
		return this.#current;
	}

	/**
	 * Whether what is in the queue is known: the loaded queue has read the stored one, or none was loaded because
	 * nothing was stored. Before, a batch of the last visit may still have runs waiting there.
	 */
	get settled(): boolean {
		return this.#current ? this.#current.started : this.#looked;
	}

	/**
	 * Whether a batch or grid still has runs to send or wait for; true while that is not known yet (`settled`), so
	 * what waits for the batch's end does not end early. A queue not loaded has none: its runs were all sent
	 * before this page, or there are none.
	 */
	hasWorkFor(groupId: string): boolean {
		if (!this.settled) return true;
		const left = this.#current?.summary({ groupId });
		return !!left && left.waiting + left.paused + left.inFlight > 0;
	}

	/** The loaded queue's items, none before: enough for views that only list and remove them (run lists). */
	get entries(): readonly QueueEntry[] {
		return this.#current?.entries ?? [];
	}

	/** Removes items from the loaded queue (see `DispatchState.remove`); before it is loaded there are none. */
	remove(options: { ids: string[] }): string[] {
		return this.#current?.remove(options) ?? [];
	}

	/** Why the browser queue's code could not be loaded (an update replaced the build), or null. */
	get error(): string | null {
		return this.#error;
	}

	/** Loads the browser queue, once; undefined when its code could not be loaded (`error` says why). */
	load(): Promise<DispatchState | undefined> {
		this.#loading ??= import('./dispatch.svelte').then(
			({ DispatchState }) => {
				const settings = this.#settings ?? this.#options.settings;
				this.#current = new DispatchState({ ...this.#options, ...(settings ? { settings } : {}) });
				return this.#current;
			},
			(error: unknown) => {
				this.#error = `The queue could not be loaded: ${errorMessage(error)}. Reload the page.`;
				this.#loading = undefined;
				return undefined;
			}
		);
		return this.#loading;
	}

	/** Loads the browser queue when the stored one has items waiting or on a server: a reload resumes them. */
	async resumeIfStored(): Promise<void> {
		let work = false;
		try {
			work = await storedQueueHasWork(await this.#options.db);
		} catch {
			// No IndexedDB here: nothing was stored, and the queue will live in this tab when something needs it.
		}
		if (work) await this.load();
		this.#looked = true;
	}

	/** New limits from Settings (kept for a queue loaded later). */
	configure(settings: DispatchSettings): void {
		this.#settings = settings;
		this.#current?.configure(settings);
	}

	/** Something outside changed (servers, their health): a loaded queue looks again. */
	refresh(): void {
		this.#current?.refresh();
	}
}
