/**
 * What each server said last about its software (node definitions, model lists, features): one record per server
 * and kind, replaced by every newer answer, so views open at once and offline. Records are parsed by the caller's
 * schema on read; one that no longer parses is skipped, reported and deleted (it is only a cache).
 */
import type { DeckDb, StoredServerData } from './db';
import { reportUnreadable } from './unreadable';

/** A parser for one kind: the typed data, or why it could not be read. */
export type ServerDataParser<T> = (raw: unknown) => { ok: true; data: T } | { ok: false; problem: string };

/** A record that parsed. */
export interface ServerDataRecord<T> {
	serverId: string;
	kind: string;
	version?: string;
	data: T;
	savedAt: number;
}

const ofServer = (serverId: string) => IDBKeyRange.bound([serverId, ''], [serverId, '\uffff']);

/**
 * The stored answer of one kind for a server, parsed; undefined when none is stored or it cannot be read.
 * @param o.parse the kind's schema check (the core's guards, in the query layer).
 */
export async function readServerData<T>(
	db: DeckDb,
	o: { serverId: string; kind: string; parse: ServerDataParser<T> }
): Promise<ServerDataRecord<T> | undefined> {
	const record = await db.get('serverData', [o.serverId, o.kind]);
	if (!record) return undefined;
	const parsed = typeof record.savedAt === 'number' ? o.parse(record.data) : undefined;
	if (!parsed?.ok) {
		reportUnreadable(db, {
			store: 'serverData',
			key: `${o.serverId} ${o.kind}`,
			problem: parsed?.problem ?? 'savedAt: not a number'
		});
		await db.delete('serverData', [o.serverId, o.kind]).catch(() => undefined);
		return undefined;
	}
	return {
		serverId: o.serverId,
		kind: o.kind,
		...(typeof record.version === 'string' ? { version: record.version } : {}),
		data: parsed.data,
		savedAt: record.savedAt
	};
}

/** Stores (replacing) a server's newest answer of one kind. */
export async function saveServerData(db: DeckDb, record: StoredServerData): Promise<void> {
	await db.put('serverData', record);
}

/** The server version each stored record was read from, by kind (to tell whether the server changed since). */
export async function storedServerVersions(
	db: DeckDb,
	serverId: string
): Promise<Record<string, string | undefined>> {
	const records = await db.getAll('serverData', ofServer(serverId));
	return Object.fromEntries(records.map((r) => [r.kind, r.version]));
}

/** Forgets everything stored of a server (its software changed, or it was removed). */
export async function forgetServerData(db: DeckDb, serverId: string): Promise<void> {
	await db.delete('serverData', ofServer(serverId));
}

/** Forgets the stored answers of every server not in `keep` (servers removed from Settings). */
export async function forgetServerDataExcept(db: DeckDb, keep: Iterable<string>): Promise<number> {
	const kept = new Set(keep);
	const keys = await db.getAllKeys('serverData');
	const gone = keys.filter(([serverId]) => !kept.has(serverId));
	const tx = db.transaction('serverData', 'readwrite');
	await Promise.all([...gone.map((key) => tx.store.delete(key)), tx.done]);
	return gone.length;
}
