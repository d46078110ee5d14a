import type { QueryCacheNotifyEvent, QueryClient } from '@tanstack/svelte-query';
import { safeParse, type Schema } from '$lib/comfy/guard';
import { zFeatures } from '$lib/comfy/schemas';
// Files, not the barrels: the workflow barrel brings the importer (ExifReader, fflate), the core's the client.
import { parseObjectInfo } from '$lib/comfy/workflow/object-info';
import { plainZodIssues } from '$lib/comfy/workflow/zod-issues';
import type { DeckDb } from '$lib/storage/db';
import {
	forgetServerData,
	forgetServerDataExcept,
	readServerData,
	saveServerData,
	type ServerDataParser
} from '$lib/storage/server-data';
import { serverIdOf, serverKeys } from './keys';
import { zModelLists } from './model-lists';

/** The queries kept in IndexedDB: what a server says about its software, which changes only with it. */
export const PERSISTED_KINDS = ['object_info', 'models', 'features'] as const;
export type PersistedKind = (typeof PERSISTED_KINDS)[number];

const isPersisted = (kind: unknown): kind is PersistedKind => PERSISTED_KINDS.includes(kind as PersistedKind);

// The core's guards, not zod: the landing route hydrates these before it shows.
function schemaParser<T>(schema: Schema<T>): ServerDataParser<T> {
	return (raw) => {
		const parsed = safeParse(schema, raw);
		return parsed.success
			? { ok: true, data: parsed.data }
			: { ok: false, problem: plainZodIssues(parsed.error).join('; ') };
	};
}

// object_info is parsed a class at a time (as when it is fetched): one odd custom node does not lose the rest.
const PARSERS: Record<PersistedKind, ServerDataParser<unknown>> = {
	object_info: (raw) =>
		raw !== null && typeof raw === 'object' && !Array.isArray(raw)
			? { ok: true, data: parseObjectInfo({ json: raw }).objectInfo }
			: { ok: false, problem: 'top level: expected an object' },
	models: schemaParser(zModelLists),
	features: schemaParser(zFeatures)
};

const keyOf = (serverId: string, kind: PersistedKind) => [...serverKeys.all(serverId), kind] as const;

/** The `comfyui_version` the cached `system_stats` reading of a server names, if any. */
export function cachedServerVersion(
	queryClient: Pick<QueryClient, 'getQueryData'>,
	serverId: string
): string | undefined {
	const reading = queryClient.getQueryData<{ stats?: { system?: { comfyui_version?: unknown } } }>(
		serverKeys.systemStats(serverId)
	);
	const version = reading?.stats?.system?.comfyui_version;
	return typeof version === 'string' ? version : undefined;
}

/**
 * Keeps `object_info`, model lists and features of every server in IndexedDB, per server and server version:
 * each answer a query gets is stored, and `hydrate` puts the stored answers into the query cache (with the time
 * the server gave them, so a stale one is read again in the background) before a view asks. When a server's
 * `system_stats` names another version than the stored answers came from, they are dropped and read again.
 */
export class ServerDataCache {
	#client: QueryClient;
	#db: Promise<DeckDb | null>;
	#onError: (message: string) => void;
	#hydrated = new Map<string, Promise<void>>();
	// The version the stored answers of each server came from (undefined: not known).
	#versions = new Map<string, string | undefined>();
	// The last data stored per query: a refetch that changed nothing keeps the same object (structural sharing).
	#saved = new WeakMap<object, true>();

	constructor(o: {
		queryClient: QueryClient;
		db: Promise<DeckDb | null>;
		onError?: (message: string) => void;
	}) {
		this.#client = o.queryClient;
		this.#db = o.db;
		this.#onError = o.onError ?? (() => {});
	}

	/** Starts storing what the persisted queries fetch; returns the function that stops it. */
	start(): () => void {
		return this.#client.getQueryCache().subscribe((event) => this.#onEvent(event));
	}

	/**
	 * Puts a server's stored answers into the query cache (once per server; later calls wait for the first).
	 * Queries that already hold data keep it: it is newer.
	 */
	hydrate(serverId: string): Promise<void> {
		let done = this.#hydrated.get(serverId);
		if (!done) {
			done = this.#hydrate(serverId).catch((error: unknown) => {
				// A cache that cannot be read is a slower start, not a failure: the queries fetch as before.
				this.#onError(`stored server data of ${serverId} could not be read: ${String(error)}`);
			});
			this.#hydrated.set(serverId, done);
		}
		return done;
	}

	/** Forgets the stored answers of servers no longer configured. */
	async retain(ids: string[]): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		for (const id of this.#versions.keys()) if (!ids.includes(id)) this.#versions.delete(id);
		await forgetServerDataExcept(db, ids).catch(() => undefined);
	}

	async #hydrate(serverId: string): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		const current = cachedServerVersion(this.#client, serverId);
		const records = await Promise.all(
			PERSISTED_KINDS.map((kind) => readServerData(db, { serverId, kind, parse: PARSERS[kind] }))
		);
		for (const record of records) {
			if (!record) continue;
			// Read from another version of the server than the one answering now: its nodes may differ.
			if (current !== undefined && record.version !== undefined && record.version !== current) {
				await forgetServerData(db, serverId);
				return;
			}
			if (record.version !== undefined) this.#versions.set(serverId, record.version);
			const key = keyOf(serverId, record.kind as PersistedKind);
			if (this.#client.getQueryData(key) !== undefined) continue;
			this.#client.setQueryData(key, record.data, { updatedAt: record.savedAt });
			if (record.data !== null && typeof record.data === 'object') this.#saved.set(record.data, true);
		}
	}

	#onEvent(event: QueryCacheNotifyEvent): void {
		if (event.type !== 'updated' || event.action.type !== 'success' || event.action.manual) return;
		const key = event.query.queryKey;
		const serverId = serverIdOf(key);
		if (!serverId) return;
		const kind = key[2];
		if (kind === 'system_stats') this.#versionSeen(serverId);
		else if (isPersisted(kind) && key.length === 3) void this.#save(serverId, kind, event.query.state);
	}

	#versionSeen(serverId: string): void {
		const version = cachedServerVersion(this.#client, serverId);
		const stored = this.#versions.get(serverId);
		if (version === undefined) return;
		this.#versions.set(serverId, version);
		if (stored === undefined || stored === version) return;
		// Another ComfyUI version answers now: what it said before no longer describes it.
		void this.#db.then((db) => db && forgetServerData(db, serverId)).catch(() => undefined);
		for (const kind of PERSISTED_KINDS)
			void this.#client.resetQueries({ queryKey: keyOf(serverId, kind), exact: true });
	}

	async #save(serverId: string, kind: PersistedKind, state: { data: unknown; dataUpdatedAt: number }) {
		const { data } = state;
		if (data === null || typeof data !== 'object' || this.#saved.has(data)) return;
		this.#saved.set(data, true);
		const version = cachedServerVersion(this.#client, serverId);
		if (version !== undefined) this.#versions.set(serverId, version);
		try {
			const db = await this.#db;
			if (!db) return;
			await saveServerData(db, {
				serverId,
				kind,
				...(version === undefined ? {} : { version }),
				data,
				savedAt: state.dataUpdatedAt
			});
		} catch (error) {
			this.#onError(`${kind} of ${serverId} could not be stored: ${String(error)}`);
		}
	}
}
