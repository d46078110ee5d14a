// Records for storage tests: a whole job record with defaults, and a way to write what this build never would
// (a damaged or older record) past the typed schema.
import { unwrap, type StoreNames } from 'idb';
import type { DeckDb, DeckSchema } from '../db';
import { putImage } from '../images';
import { putJob } from '../jobs';
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

/** A file of a kept run: its name on the server, its bytes (as text) and content type. */
export interface KeptFile {
	filename: string;
	subfolder?: string;
	text: string;
	mime: string;
}

/**
 * A finished run of 7 Dec 2026, 09:30, whose files were kept (their bytes in the `images` store), as the result
 * saving finds it once the keeper is done.
 * @param o.files its outputs, in order; `o.over` sets any other field (texts, metadata).
 */
export async function putKeptRun(
	db: DeckDb,
	o: { id: string; templateName: string; files: KeptFile[]; over?: Partial<StoredJob> }
): Promise<StoredJob> {
	const images = [];
	for (const { filename, subfolder = '', text, mime } of o.files) {
		const kind = mime.split('/')[0];
		const blob = new Blob([text], { type: mime });
		const hash = await putImage(db, { blob, ...(kind === 'image' ? {} : { kind }) });
		images.push({ filename, subfolder, type: 'output', hash, mime });
	}
	const job = jobRecord({
		id: o.id,
		createdAt: new Date(2026, 11, 7, 9, 30, 0).getTime(),
		...o.over,
		app: { templateName: o.templateName, images }
	});
	await putJob(db, job);
	return job;
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
