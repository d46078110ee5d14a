import type { DeckDb, StoredCacheEntry } from './db';
import { deleteUnreferencedImages } from './images';

/** The cached result of a prompt, marking it used now (LRU); undefined when not cached. */
export async function useCacheEntry(db: DeckDb, promptHash: string): Promise<StoredCacheEntry | undefined> {
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
