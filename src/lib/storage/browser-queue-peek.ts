/**
 * Whether the stored browser queue has work to resume, read without the queue's parser: the layout asks this
 * right after the first paint to decide whether to load the browser queue at all (`DispatchLoader`).
 */
import type { DeckDb } from './db';

const FINISHED = new Set<unknown>(['done', 'failed']);

/**
 * True when a stored item waits, is paused or is on a server. A record of another shape counts as work, and so
 * does a pre-v12 snapshot the migration left because it could not read it: the queue's own reader then says what
 * is wrong with them.
 * @param db the open database.
 */
export async function storedQueueHasWork(db: DeckDb): Promise<boolean> {
	const tx = db.transaction(['browserQueue', 'queueItems']);
	const [legacy, items] = await Promise.all([
		tx.objectStore('browserQueue').get('queue') as Promise<unknown>,
		tx.objectStore('queueItems').getAll() as Promise<unknown[]>
	]);
	if (legacy !== undefined) return true;
	return items.some((item) => !FINISHED.has((item as { status?: unknown } | null)?.status));
}
