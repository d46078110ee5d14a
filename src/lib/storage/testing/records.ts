// Records for storage tests: a whole job record with defaults, and a way to write what this build never would
// (a damaged or older record) past the typed schema.
import { unwrap, type StoreNames } from 'idb';
import type { DeckDb, DeckSchema } from '../db';
import type { StoredJob } from '../stored-job';

/** A finished job of server `s1` with nothing kept yet; `over` sets any field. */
export function jobRecord(over: Partial<StoredJob> & { id: string }): StoredJob {
	const createdAt = over.createdAt ?? over.timings?.created ?? 1;
	return {
		serverId: 's1',
		serverUrl: 'http://box:8188/',
		workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
		status: 'succeeded',
		outputs: [],
		attempts: 1,
		app: {},
		...over,
		createdAt,
		timings: over.timings ?? { created: createdAt }
	};
}

/**
 * Writes a record as it is, unchecked by the schema's types: what an older build or a damaged database left.
 * @param db the open database.
 * @param store the object store to write to.
 * @param value the record.
 * @param key its key, for `settings` (every other store keeps the key inside the record).
 */
export function putRawRecord(
	db: DeckDb,
	store: StoreNames<DeckSchema>,
	value: unknown,
	key?: string
): Promise<void> {
	return new Promise((resolve, reject) => {
		const tx = unwrap(db).transaction(store, 'readwrite');
		tx.objectStore(store).put(value, key);
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error);
	});
}
