import type { DeckDb, StoredCacheEntry } from './db';
import { deleteUnreferencedImages } from './images';

// The prompt hashes the cache holds, per database, read once. Generate asks here first: a prompt that is not cached
// (nearly every one: a new seed, a changed value) is answered without IndexedDB, whose round trip was most of the
// time from the Generate click to the POST (~10 ms of 14). This tab's results are added as they are cached; an
// entry another tab cached is read again after `forgetCacheKeys` (Generate calls it after a history change it cannot
// name: another tab, an import).
// A hash listed here whose entry is gone (evicted, deleted) only costs the IndexedDB read that says so.
const keysOf = new WeakMap<DeckDb, Promise<Set<string>>>();

function cacheKeys(db: DeckDb): Promise<Set<string>> {
	let keys = keysOf.get(db);
	if (!keys) {
		keys = db.getAllKeys('cache').then((list) => new Set(list));
		keysOf.set(db, keys);
		// A failed read is tried again next time.
		keys.catch(() => keysOf.get(db) === keys && keysOf.delete(db));
	}
	return keys;
}

/** Reads the cache's prompt hashes now, so the first Generate does not wait for them. */
export function loadCacheKeys(db: DeckDb): void {
	cacheKeys(db).catch(() => undefined);
}

/** Another tab may have cached results: the prompt hashes are read again on the next look. */
export function forgetCacheKeys(db: DeckDb): void {
	keysOf.delete(db);
}

/** The cached result of a prompt, marking it used now (LRU); undefined when not cached. */
export async function useCacheEntry(db: DeckDb, promptHash: string): Promise<StoredCacheEntry | undefined> {
	if (!(await cacheKeys(db)).has(promptHash)) return undefined;
	const tx = db.transaction('cache', 'readwrite');
	const entry = await tx.store.get(promptHash);
	if (entry) {
		entry.lastUsedAt = Date.now();
		await tx.store.put(entry);
	}
	await tx.done;
	return entry;
}

/** Records a successful result, then evicts the least recently used entries above `maxBytes`. */
export async function putCacheEntry(
	db: DeckDb,
	entry: StoredCacheEntry,
	options: { maxBytes: number }
): Promise<{ evicted: number; freedBytes: number }> {
	await db.put('cache', entry);
	// Keys read before this write get it here; keys read after it see it.
	await keysOf.get(db)?.then(
		(keys) => keys.add(entry.promptHash),
		() => undefined
	);
	return evictCache(db, options);
}

/**
 * Drops least recently used cache entries until the cache's images fit in `maxBytes`. Images that history still
 * uses are kept: eviction never touches a user's history.
 */
export async function evictCache(
	db: DeckDb,
	options: { maxBytes: number }
): Promise<{ evicted: number; freedBytes: number }> {
	const entries = await db.getAllFromIndex('cache', 'byLastUsed'); // oldest first
	let total = entries.reduce((sum, e) => sum + e.bytes, 0);
	const evicted: StoredCacheEntry[] = [];
	for (const entry of entries) {
		if (total <= options.maxBytes) break;
		evicted.push(entry);
		total -= entry.bytes;
	}
	if (!evicted.length) return { evicted: 0, freedBytes: 0 };
	const tx = db.transaction('cache', 'readwrite');
	await Promise.all([...evicted.map((e) => tx.store.delete(e.promptHash)), tx.done]);
	const freedBytes = await deleteUnreferencedImages(
		db,
		evicted.flatMap((e) => e.imageHashes)
	);
	return { evicted: evicted.length, freedBytes };
}

/** How many entries and bytes the cache holds. */
export async function cacheUsage(db: DeckDb): Promise<{ entries: number; bytes: number }> {
	const entries = await db.getAll('cache');
	return { entries: entries.length, bytes: entries.reduce((sum, e) => sum + e.bytes, 0) };
}
