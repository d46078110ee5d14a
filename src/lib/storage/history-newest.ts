// The first page of an unfiltered History in three requests (two key reads, one bulk read) instead of one request per
// record: what the gallery's first cards wait for.
import type { DeckDb } from './db';

/**
 * The newest `count` records of the date index within `range`, newest first (ties by id, descending, as a cursor
 * walking backwards gives them), whether older ones follow, and the date index key of the last one given.
 */
export async function readNewestJobs(
	db: DeckDb,
	options: { range: IDBKeyRange | null; count: number }
): Promise<{ values: unknown[]; more: boolean; last?: { createdAt: number; id: string } }> {
	const count = Math.max(1, options.count);
	const tx = db.transaction('jobs');
	const index = tx.store.index('byCreatedAt');
	// Keys only (no record is read): the newest time in range, then the time `count` records older.
	const newest = await index.openKeyCursor(options.range, 'prev');
	if (!newest) {
		await tx.done;
		return { values: [], more: false };
	}
	// Taken before moving on: the cursor moves in place.
	const top = newest.key;
	const edge = count > 1 ? await newest.advance(count - 1) : newest;
	const all = await index.getAll(edge ? IDBKeyRange.bound(edge.key, top) : options.range);
	// More records than asked for when times tie at the edge; past the edge, whatever the key cursor finds next.
	const more = all.length > count || (edge !== null && (await edge.continue()) !== null);
	await tx.done;
	const values = all.reverse().slice(0, count);
	const oldest = values.at(-1);
	return {
		values,
		more,
		...(oldest ? { last: { createdAt: oldest.createdAt, id: oldest.id } } : {})
	};
}
