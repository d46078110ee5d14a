/**
 * Result saving (`ResultSavingState`), loaded when the app starts (after the first paint's code) or when first
 * needed: the landing route's first load carries none of it. A run kept before it is loaded is not lost: its id
 * waits here and is saved once the stored choice has been read.
 */
import type { DeckDb } from '$lib/storage/db';
import { errorMessage } from '$lib/util/error-message';
import type { ResultSavingState } from './result-saving.svelte';

type StateOptions = ConstructorParameters<typeof ResultSavingState>[0];

export class ResultSavingLoader {
	#current = $state.raw<ResultSavingState | undefined>();
	#error = $state<string | null>(null);
	#loading: Promise<ResultSavingState | undefined> | undefined;
	#options: StateOptions;
	#import: () => Promise<{ ResultSavingState: typeof ResultSavingState }>;
	#onError: (message: string) => void;
	// Runs kept before the state was loaded, saved right after it loads. Not rendered: plain bookkeeping.
	#waiting: string[] = [];
	#batchOpen: ((batchId: string) => boolean) | undefined;

	/**
	 * @param options.db the database (null where IndexedDB is refused: nothing is saved then).
	 * @param options.onError told when the code or the stored choice could not be loaded (for the log).
	 * @param options.load imports the state's module (a test passes one that fails or waits).
	 */
	constructor(
		options: StateOptions & {
			db: Promise<DeckDb | null>;
			onError?: (message: string) => void;
			load?: () => Promise<{ ResultSavingState: typeof ResultSavingState }>;
		}
	) {
		const { onError, load, ...stateOptions } = options;
		this.#options = stateOptions;
		this.#onError = onError ?? (() => {});
		this.#import = load ?? (() => import('./result-saving.svelte'));
	}

	/** The state once loaded and its stored choice read (reactive), else undefined. */
	get current(): ResultSavingState | undefined {
		return this.#current;
	}

	/** Why the saving code could not be loaded (an update replaced the build), or null. */
	get error(): string | null {
		return this.#error;
	}

	/** Loads the state and reads the stored choice, once; then saves the runs kept meanwhile. */
	load(): Promise<ResultSavingState | undefined> {
		this.#loading ??= this.#import().then(
			async ({ ResultSavingState }) => {
				const state = new ResultSavingState(this.#options);
				if (this.#batchOpen) state.watchBatches(this.#batchOpen);
				await state.load().catch((error: unknown) => this.#onError(`result saving: ${String(error)}`));
				this.#current = state;
				this.#error = null;
				const waiting = this.#waiting.splice(0);
				for (const jobId of waiting) await state.saveRun(jobId);
				return state;
			},
			(error: unknown) => {
				this.#error = `Result saving could not be loaded: ${errorMessage(error)}. Reload the page.`;
				this.#onError(this.#error);
				// Tried again on the next need (an update may have replaced the build meanwhile).
				this.#loading = undefined;
				return undefined;
			}
		);
		return this.#loading;
	}

	/** Saves the files of a run just kept (see `ResultSavingState.saveRun`); before loading, once loaded. */
	async saveRun(jobId: string): Promise<void> {
		const state = this.#current;
		if (state) return state.saveRun(jobId);
		this.#waiting.push(jobId);
		await this.load();
	}

	/** How to tell a batch still has runs to come (see `ResultSavingState.watchBatches`). */
	watchBatches(open: (batchId: string) => boolean): void {
		this.#batchOpen = open;
		this.#current?.watchBatches(open);
	}

	/** Downloads the zips of batches that ended; before loading nothing is held back. */
	async flushBatches(): Promise<void> {
		await this.#current?.flushBatches();
	}
}
