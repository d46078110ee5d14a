/**
 * The browser queue's store: one snapshot of the whole queue, replaced on every change, so batches and grids
 * waiting in the browser survive a reload or a browser restart. Reading goes through the core's parser: a record
 * that does not fit is reported and left as it is, never trusted.
 */
import { readQueueSnapshot, toSnapshot, type QueueState } from '$lib/comfy/batch';
import type { DeckDb } from './db';
import type { StoredJob } from './stored-job';
import { reportUnreadable } from './unreadable';

const KEY = 'queue';

/** What was stored: the queue, nothing yet, or why the stored record could not be read. */
export type StoredQueue = { ok: true; state: QueueState | undefined } | { ok: false; message: string };

/**
 * The stored queue (undefined when none was ever stored).
 * @param db the open database.
 */
export async function loadBrowserQueue(db: DeckDb): Promise<StoredQueue> {
	const value: unknown = await db.get('browserQueue', KEY);
	if (value === undefined) return { ok: true, state: undefined };
	const read = readQueueSnapshot(value);
	if (read.ok) return { ok: true, state: read.state };
	reportUnreadable(db, { store: 'browserQueue', key: KEY, problem: read.message });
	return { ok: false, message: read.message };
}

/**
 * Replaces the stored queue, and writes job records in the same transaction when some are given: an item released
 * to a server is on record as released, with its job (template, form values) in History, before its POST leaves,
 * so a reload in between neither sends it twice nor loses it.
 * @param db the open database.
 * @param state the queue now.
 * @param jobs the records of jobs about to be sent.
 * @param now the time saved (ms since epoch).
 */
export async function saveBrowserQueue(
	db: DeckDb,
	{ state, jobs = [], now = Date.now() }: { state: QueueState; jobs?: StoredJob[]; now?: number }
): Promise<void> {
	const snapshot = toSnapshot(state, { now });
	if (jobs.length === 0) {
		await db.put('browserQueue', snapshot, KEY);
		return;
	}
	const tx = db.transaction(['browserQueue', 'jobs'], 'readwrite');
	await Promise.all([
		tx.objectStore('browserQueue').put(snapshot, KEY),
		...jobs.map((job) => tx.objectStore('jobs').put(job)),
		tx.done
	]);
}

/**
 * Moves an unreadable stored queue aside (kept under a key of its own, for a backup or a bug report), so new
 * items can be stored without overwriting it.
 * @param db the open database.
 */
export async function setAsideBrowserQueue(db: DeckDb, { now = Date.now() }: { now?: number } = {}) {
	const tx = db.transaction('browserQueue', 'readwrite');
	const value: unknown = await tx.store.get(KEY);
	if (value !== undefined) {
		await tx.store.put(value, `unreadable-${now}`);
		await tx.store.delete(KEY);
	}
	await tx.done;
}
