import { forgetCacheKeys, loadCacheKeys, useCacheEntry } from '$lib/storage/cache';
import type { DeckDb, StoredCacheEntry } from '$lib/storage/db';
import { getJob, type KeptImage } from '$lib/storage/jobs';

/** What the lookup needs of the app's jobs (`JobsState`). */
interface HistoryChangesView {
	readonly historyVersion: number;
	/** The jobs changed after a version, or null when not known (another tab, an import). */
	changesSince(version: number): readonly string[] | null;
}

/**
 * Generate's look in the result cache. The cache's prompt hashes are known in memory (`useCacheEntry`), with what
 * this tab caches added as it does; a history change this tab cannot name (another tab's run, an import) may have
 * cached more, so they are read again after one.
 */
export class CacheLookup {
	#db: Promise<DeckDb>;
	#history: HistoryChangesView;
	// The history version up to which the known prompt hashes are complete.
	#version: number;

	constructor(options: { db: Promise<DeckDb>; history: HistoryChangesView }) {
		this.#db = options.db;
		this.#history = options.history;
		this.#version = options.history.historyVersion;
		// Read now, so the first Generate does not wait for them.
		void options.db.then(loadCacheKeys, () => undefined);
	}

	/** The cached result of a prompt, marked used now; undefined when it is not cached. */
	async find(promptHash: string): Promise<StoredCacheEntry | undefined> {
		const db = await this.#db;
		const version = this.#history.historyVersion;
		if (this.#history.changesSince(this.#version) === null) forgetCacheKeys(db);
		this.#version = version;
		return useCacheEntry(db, promptHash);
	}
}

/**
 * What a cache hit shows: its results as the run that cached them kept them (name, folder, type), so a video is
 * named and saved as the server named it (`ComfyDeck_00001_.mp4`, not a hash); by their hashes alone when that run
 * was deleted from history since.
 */
export async function cachedResults(
	db: DeckDb,
	entry: StoredCacheEntry
): Promise<(KeptImage | { hash: string })[]> {
	const kept = (await getJob(db, entry.jobId))?.app.images ?? [];
	return entry.imageHashes.map((hash) => kept.find((image) => image.hash === hash) ?? { hash });
}
