import { cacheUsage, evictCache } from '$lib/storage/cache';
import type { DeckDb } from '$lib/storage/db';
import { estimateStorage, isPersisted, requestPersistence, type StorageLike } from '$lib/storage/quota';
import { formatBytes } from '$lib/util/units';
import { errorMessage } from '$lib/util/error-message';

/** The browser's storage for Comfy Deck as the Settings page shows it: persistence, usage and quota, the cache. */
export class StorageState {
	#persisted = $state<boolean | null>(null);
	#usage = $state<number | null>(null);
	#quota = $state<number | null>(null);
	#cache = $state<{ entries: number; bytes: number } | null>(null);
	#message = $state<string | null>(null);
	#busy = $state(false);
	#loaded = $state(false);

	#db: Promise<DeckDb>;
	#storage: StorageLike | null | undefined;

	constructor(options: { db: Promise<DeckDb>; storage?: StorageLike | null }) {
		this.#db = options.db;
		this.#storage = options.storage;
	}

	/** Whether the browser keeps the data under storage pressure; null when it cannot tell. */
	get persisted(): boolean | null {
		return this.#persisted;
	}

	/** Bytes this origin uses, as the browser estimates them (null when it cannot tell). */
	get usage(): number | null {
		return this.#usage;
	}

	/** Bytes this origin may use at most, as the browser estimates them (null when it cannot tell). */
	get quota(): number | null {
		return this.#quota;
	}

	/** The result cache's entries and the bytes of images only it keeps (null when it could not be read). */
	get cache(): { entries: number; bytes: number } | null {
		return this.#cache;
	}

	/** What the last action did, in words (shown as text). */
	get message(): string | null {
		return this.#message;
	}

	/** True while asking for persistence or shrinking the cache. */
	get busy(): boolean {
		return this.#busy;
	}

	/** True once the first `refresh` has read everything. */
	get loaded(): boolean {
		return this.#loaded;
	}

	/** Reads persistence, the estimate and the cache's size again. */
	async refresh(): Promise<void> {
		const storage = this.#storage;
		const [persisted, estimate, cache] = await Promise.all([
			isPersisted({ storage }),
			estimateStorage({ storage }),
			this.#db.then(cacheUsage).catch(() => null)
		]);
		this.#persisted = persisted;
		this.#usage = estimate?.usage ?? null;
		this.#quota = estimate?.quota ?? null;
		this.#cache = cache;
		this.#loaded = true;
	}

	/** Asks the browser to keep the data, and says what it answered. */
	async askPersistence(): Promise<void> {
		this.#busy = true;
		try {
			const granted = await requestPersistence({ storage: this.#storage });
			this.#persisted = granted ?? this.#persisted;
			this.#message =
				granted === null
					? 'This browser cannot keep storage persistent. Export a backup now and then to keep your history safe.'
					: granted
						? 'Storage is persistent: the browser will not clear Comfy Deck’s data to make room.'
						: 'The browser declined for now. Chromium grants it to sites that are installed, bookmarked or used often; Firefox asks you. Until then, export a backup now and then.';
		} finally {
			this.#busy = false;
		}
	}

	/** Empties the result cache (images that history shows are kept) and says what was freed. */
	clearCache(): Promise<void> {
		return this.shrinkCache({ maxBytes: 0 });
	}

	/**
	 * Evicts the least recently used cache entries until the cache fits in `maxBytes` (after its size setting
	 * was lowered), and says what was freed.
	 */
	async shrinkCache({ maxBytes }: { maxBytes: number }): Promise<void> {
		this.#busy = true;
		try {
			const db = await this.#db;
			const { evicted, freedBytes } = await evictCache(db, { maxBytes });
			const what = maxBytes ? 'Removed the oldest' : 'Cleared';
			this.#message = evicted
				? `${what} ${evicted} cached ${evicted === 1 ? 'result' : 'results'}; ${formatBytes(freedBytes)} of images only the cache used were deleted. History was not touched.`
				: maxBytes
					? 'The cache already fits.'
					: 'The cache was already empty.';
			await this.refresh();
		} catch (error) {
			this.#message = `Could not clear the cache: ${errorMessage(error)}`;
		} finally {
			this.#busy = false;
		}
	}
}
