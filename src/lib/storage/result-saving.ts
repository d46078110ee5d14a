/**
 * Where results are saved besides IndexedDB (see StoredResultSaving), read back with a check: a record this build
 * cannot use (another mode, a folder that is not a handle) reads as "off", so the app starts and asks again.
 */
import type { DeckDb, StoredResultSaving, StoredZipWaits } from './db';
import { reportUnreadable } from './unreadable';

const KEY = 'results';
const MODES: readonly string[] = ['off', 'folder', 'download'];

/** Saving as stored, or `off` when nothing (usable) was stored. */
export async function loadResultSaving(db: DeckDb): Promise<StoredResultSaving> {
	const record: unknown = await db.get('resultSaving', KEY);
	if (record === undefined) return { mode: 'off' };
	const { mode, folder } = (record ?? {}) as Partial<Record<keyof StoredResultSaving, unknown>>;
	// Only a real handle has getFileHandle; a record copied from elsewhere would hold a plain object.
	const usable =
		folder === undefined || typeof (folder as FileSystemDirectoryHandle).getFileHandle === 'function';
	if (typeof mode !== 'string' || !MODES.includes(mode) || !usable) {
		reportUnreadable(db, {
			store: 'resultSaving',
			key: KEY,
			problem: 'not a saving mode with a folder handle'
		});
		return { mode: 'off' };
	}
	return {
		mode: mode as StoredResultSaving['mode'],
		...(folder ? { folder: folder as FileSystemDirectoryHandle } : {})
	};
}

/** Replaces where results are saved. */
export async function storeResultSaving(db: DeckDb, value: StoredResultSaving): Promise<void> {
	await db.put('resultSaving', value, KEY);
}

const ZIP_WAITS_KEY = 'zipWaits';
const waitsIn = (record: unknown): StoredZipWaits =>
	Array.isArray(record) ? record.filter((id): id is string => typeof id === 'string') : [];

/** The batches and grids whose runs wait for their zip (see StoredZipWaits); none when nothing was stored. */
export async function loadZipWaits(db: DeckDb): Promise<StoredZipWaits> {
	return waitsIn(await db.get('resultSaving', ZIP_WAITS_KEY));
}

/**
 * Notes that a batch's runs wait for its zip (`add`), or that its zip was offered (`remove`), in one transaction:
 * two tabs changing the list at once both keep their change.
 */
export async function changeZipWaits(db: DeckDb, change: { add?: string; remove?: string }): Promise<void> {
	const tx = db.transaction('resultSaving', 'readwrite');
	const waits = new Set(waitsIn(await tx.store.get(ZIP_WAITS_KEY)));
	if (change.add) waits.add(change.add);
	if (change.remove) waits.delete(change.remove);
	await Promise.all([tx.store.put([...waits], ZIP_WAITS_KEY), tx.done]);
}
