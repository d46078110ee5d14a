/**
 * The browser queue's store: one record per item (`queueItems`, with its place in the queue) and one for the
 * queue itself (`browserQueue`, key `state`: paused or not), so batches and grids waiting in the browser survive
 * a reload or a browser restart. A save writes only the items that changed since the last one: a 200-item queue
 * costs one small record per release or end, not the whole queue each time. Reading goes through the core's
 * parser: an item that does not fit is reported and set aside, never trusted, and the others load.
 */
import { readQueueSnapshot, zQueueEntry, type QueueEntry, type QueueState } from '$lib/comfy/batch';
import { safeParse } from '$lib/comfy/parse';
import type { DeckDb } from './db';
import type { StoredJob } from './stored-job';
import { reportUnreadable } from './unreadable';

/** The queue's own record (in `browserQueue`). */
const STATE_KEY = 'state';
/** Where builds before v12 kept the whole queue as one snapshot (the v12 migration converts it). */
const LEGACY_KEY = 'queue';

/** An item as stored: the entry and its place in the queue (0 = first). */
export type StoredQueueItem = QueueEntry & { position: number };

/** The queue's own record. */
export interface StoredQueueState {
	version: 2;
	paused: boolean;
	savedAt: number;
}

/**
 * What was stored: the queue (and items that could not be read), nothing yet, or why it could not be read.
 * `exact`: the store holds exactly `state`, each item at its index (a save can then write only what changes).
 */
export type StoredQueue =
	| { ok: true; state: QueueState | undefined; unreadable: string[]; exact: boolean }
	| { ok: false; message: string };

/**
 * The stored queue (undefined when none was ever stored), in its order. Items that cannot be read are reported and
 * listed in `unreadable` (set them aside with `setAsideQueueItems`); the others load.
 * @param db the open database.
 */
export async function loadBrowserQueue(db: DeckDb): Promise<StoredQueue> {
	const tx = db.transaction(['browserQueue', 'queueItems']);
	const [legacy, saved, items] = await Promise.all([
		tx.objectStore('browserQueue').get(LEGACY_KEY) as Promise<unknown>,
		tx.objectStore('browserQueue').get(STATE_KEY) as Promise<unknown>,
		tx.objectStore('queueItems').index('byPosition').getAll() as Promise<unknown[]>
	]);
	if (legacy !== undefined) {
		// Left by the migration because it could not be read: say so, as before v12.
		const read = readQueueSnapshot(legacy);
		const message = read.ok ? 'The saved queue is in an old format.' : read.message;
		reportUnreadable(db, { store: 'browserQueue', key: LEGACY_KEY, problem: message });
		return { ok: false, message };
	}
	if (saved === undefined && items.length === 0)
		return { ok: true, state: undefined, unreadable: [], exact: true };
	const paused = typeof saved === 'object' && saved !== null && (saved as StoredQueueState).paused === true;
	const entries: QueueEntry[] = [];
	const unreadable: string[] = [];
	for (const raw of items) {
		const read = readItem(raw);
		if (read.ok) entries.push(read.entry);
		else {
			const key = String((raw as { id?: unknown } | null)?.id ?? '');
			unreadable.push(key);
			reportUnreadable(db, { store: 'queueItems', key, problem: read.message });
		}
	}
	const exact =
		saved !== undefined &&
		unreadable.length === 0 &&
		items.every((raw, i) => (raw as { position?: unknown }).position === i);
	return { ok: true, state: { paused, entries }, unreadable, exact };
}

function readItem(raw: unknown): { ok: true; entry: QueueEntry } | { ok: false; message: string } {
	const { position: _position, ...rest } = (raw ?? {}) as Record<string, unknown>;
	const parsed = safeParse(zQueueEntry, rest);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
		return { ok: false, message: `unreadable${where}: ${issue?.message ?? 'unknown format'}` };
	}
	const entry = parsed.data as QueueEntry;
	if ((entry.status === 'released' || entry.status === 'running') && (!entry.serverId || !entry.promptId))
		return { ok: false, message: 'it says it is on a server but not which one' };
	return { ok: true, entry };
}

/**
 * Stores the queue: the items that changed (or moved) since `since` (the state last stored; undefined: the store's
 * content is not known, so it is replaced), the ones removed since, and the queue's own record when its pause
 * changed. Job records given are written in the same transaction: an item released to a server is on record as
 * released, with its job (template, form values) in History, before its POST leaves, so a reload in between
 * neither sends it twice nor loses it.
 * @param db the open database.
 * @param state the queue now.
 * @param since the queue as last stored.
 * @param jobs the records of jobs about to be sent.
 * @param now the time saved (ms since epoch).
 */
export async function saveBrowserQueue(
	db: DeckDb,
	{
		state,
		since,
		jobs = [],
		now = Date.now()
	}: { state: QueueState; since?: QueueState; jobs?: StoredJob[]; now?: number }
): Promise<void> {
	const stores = jobs.length
		? (['browserQueue', 'queueItems', 'jobs'] as const)
		: (['browserQueue', 'queueItems'] as const);
	const tx = db.transaction([...stores], 'readwrite');
	const items = tx.objectStore('queueItems');
	const writes: Promise<unknown>[] = [];
	const before = new Map<string, { entry: QueueEntry; position: number }>();
	since?.entries.forEach((entry, position) => before.set(entry.id, { entry, position }));
	if (!since) writes.push(items.clear());
	state.entries.forEach((entry, position) => {
		const old = before.get(entry.id);
		before.delete(entry.id);
		if (old?.entry !== entry || old.position !== position) writes.push(items.put({ ...entry, position }));
	});
	for (const id of before.keys()) writes.push(items.delete(id));
	if (!since || since.paused !== state.paused) {
		const record: StoredQueueState = { version: 2, paused: state.paused, savedAt: now };
		writes.push(tx.objectStore('browserQueue').put(record, STATE_KEY));
	}
	if (jobs.length) for (const job of jobs) writes.push(tx.objectStore('jobs').put(job));
	await Promise.all([...writes, tx.done]);
}

/**
 * Moves an unreadable stored queue aside (kept under a key of its own, for a backup or a bug report), so new
 * items can be stored without overwriting it.
 * @param db the open database.
 */
export async function setAsideBrowserQueue(db: DeckDb, { now = Date.now() }: { now?: number } = {}) {
	const tx = db.transaction('browserQueue', 'readwrite');
	const value: unknown = await tx.store.get(LEGACY_KEY);
	if (value !== undefined) {
		await tx.store.put(value, `unreadable-${now}`);
		await tx.store.delete(LEGACY_KEY);
	}
	await tx.done;
}

/**
 * Moves unreadable items aside, out of the queue (kept in `browserQueue` under keys of their own, for a backup or
 * a bug report).
 * @param db the open database.
 * @param ids the items `loadBrowserQueue` could not read.
 */
export async function setAsideQueueItems(
	db: DeckDb,
	{ ids, now = Date.now() }: { ids: string[]; now?: number }
): Promise<void> {
	const tx = db.transaction(['browserQueue', 'queueItems'], 'readwrite');
	const items = tx.objectStore('queueItems');
	for (const id of ids) {
		const value: unknown = await items.get(id);
		if (value === undefined) continue;
		await tx.objectStore('browserQueue').put(value, `unreadable-${now}-${id}`);
		await items.delete(id);
	}
	await tx.done;
}
