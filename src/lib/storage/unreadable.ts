/**
 * Records that could not be read: the repositories skip them (a view shows the rest) and report each one here
 * once per database connection, to whoever opened the database (the app writes them to its log).
 */
import type { DeckDb } from './db';

/** One record a repository skipped. */
export interface UnreadableRecord {
	/** The object store it is in. */
	store: string;
	/** Its key, as text. */
	key: string;
	/** What is wrong with it ("status: expected one of …"). */
	problem: string;
}

/** Told of every record skipped for the first time on this connection. */
export type UnreadableListener = (record: UnreadableRecord) => void;

interface Watch {
	listener: UnreadableListener;
	seen: Set<string>;
}

const watches = new WeakMap<DeckDb, Watch>();

/**
 * Sends the unreadable records of a connection to a listener (called by `openDeckDb`).
 * @param db the open database.
 * @param listener told of each skipped record once.
 */
export function watchUnreadable(db: DeckDb, listener: UnreadableListener): void {
	watches.set(db, { listener, seen: new Set() });
}

/**
 * Reports a skipped record; without a listener it goes to the console, so it is never silent.
 * @param db the database it was read from.
 * @param record which record and why.
 */
export function reportUnreadable(db: DeckDb, record: UnreadableRecord): void {
	let watch = watches.get(db);
	if (!watch) {
		watch = {
			listener: (r) => console.warn(`Skipped unreadable ${r.store} record ${r.key}: ${r.problem}`),
			seen: new Set()
		};
		watches.set(db, watch);
	}
	const id = `${record.store} ${record.key}`;
	if (watch.seen.has(id)) return;
	watch.seen.add(id);
	watch.listener(record);
}

/** How many different records of a connection were skipped so far. */
export function unreadableCount(db: DeckDb): number {
	return watches.get(db)?.seen.size ?? 0;
}
