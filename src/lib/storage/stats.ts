import type { DeckDb, StoredStatsSample } from './db';

/** Saves one sample (a sample with the same server and time replaces the old one). */
export async function addStatsSample(db: DeckDb, sample: StoredStatsSample): Promise<void> {
	await db.put('stats', sample);
}

/** One server's samples from `since` on, oldest first. */
export async function listStatsSamples(
	db: DeckDb,
	o: { serverId: string; since: number; until?: number }
): Promise<StoredStatsSample[]> {
	// The key is [serverId, t], so one key range reads exactly this server's time span, already in order.
	const range = IDBKeyRange.bound([o.serverId, o.since], [o.serverId, o.until ?? Number.MAX_SAFE_INTEGER]);
	return db.getAll('stats', range);
}

/** Deletes every server's samples older than `before`; returns how many went. */
export async function pruneStatsSamples(db: DeckDb, o: { before: number }): Promise<number> {
	const tx = db.transaction('stats', 'readwrite');
	let removed = 0;
	let cursor = await tx.store.index('byTime').openCursor(IDBKeyRange.upperBound(o.before, true));
	while (cursor) {
		await cursor.delete();
		removed++;
		cursor = await cursor.continue();
	}
	await tx.done;
	return removed;
}
