import type { DeckDb, ServerRecord, SettingsValues } from '$lib/storage/db';
import { SERVER_NAME_MAX, deleteServer, listServers, saveServer } from '$lib/storage/servers';
import { DEFAULT_SETTINGS, loadSettings, saveSetting } from '$lib/storage/settings';
import { hostOf, normalizeServerUrl } from '$lib/util/server-url';

/** What the server form submits. */
export interface ServerInput {
	name: string;
	baseUrl: string;
	token?: string;
}

/** Outcome of a save: either done, or a message per field saying what to fix (nothing is lost). */
export type SaveResult =
	{ ok: true; server: ServerRecord } | { ok: false; errors: Partial<Record<keyof ServerInput, string>> };

/** Servers and app settings, loaded from IndexedDB and written back on every change. */
export class SettingsState {
	#servers = $state<ServerRecord[]>([]);
	#values = $state<SettingsValues>({ ...DEFAULT_SETTINGS });
	#loaded = $state(false);
	#storageError = $state<string | null>(null);

	#db: Promise<DeckDb | null>;

	constructor(db: Promise<DeckDb>) {
		this.#db = db.catch((error: unknown) => {
			this.#storageError = `Settings cannot be saved in this browser (${String(error)}). They last until the tab closes.`;
			return null;
		});
	}

	/** The configured servers, in the order the user gave them. */
	get servers(): ServerRecord[] {
		return this.#servers;
	}

	/** Every app setting (defaults for those never set). */
	get values(): SettingsValues {
		return this.#values;
	}

	/** True once servers and settings were read (or storage turned out to be unusable). */
	get loaded(): boolean {
		return this.#loaded;
	}

	/** Set when IndexedDB is unusable (private mode in some browsers, quota): the app keeps working in memory. */
	get storageError(): string | null {
		return this.#storageError;
	}

	/** Reads servers and settings; safe to call again. */
	async load(): Promise<void> {
		const db = await this.#db;
		if (db) {
			const [servers, values] = await Promise.all([listServers(db), loadSettings(db)]);
			this.#servers = servers;
			this.#values = values;
		}
		this.#loaded = true;
	}

	/**
	 * Adds a server, or updates the one with `id`. An address already in the list (this state's servers and
	 * `taken`, e.g. the ComfyUI serving the page), however it was spelled, is refused with the name it has there.
	 */
	async saveServer({
		id,
		taken = [],
		...input
	}: ServerInput & {
		id?: string;
		taken?: readonly { id: string; name: string; baseUrl: string }[];
	}): Promise<SaveResult> {
		const errors: Partial<Record<keyof ServerInput, string>> = {};
		const url = normalizeServerUrl(input.baseUrl);
		if (!url.ok) errors.baseUrl = url.message;
		// Both sides normalized: "HTTP://Box:80" and "http://box/" are one server.
		const twin = url.ok
			? [...taken, ...this.#servers].find((s) => s.id !== id && sameServerUrl(s.baseUrl, url.url))
			: undefined;
		if (twin) errors.baseUrl = `This server is already in the list, as "${twin.name}" (${twin.baseUrl}).`;
		const name = input.name.trim() || (url.ok ? hostOf(url.url) : '');
		// The name is optional (the host stands in): with a bad address, only the address needs fixing.
		if (!name && url.ok) errors.name = 'Give the server a name.';
		else if (name.length > SERVER_NAME_MAX)
			errors.name = `Names are at most ${SERVER_NAME_MAX} characters; this one has ${name.length}. Shorten it.`;
		if (!url.ok || Object.keys(errors).length) return { ok: false, errors };

		const existing = id ? this.#servers.find((s) => s.id === id) : undefined;
		const token = input.token?.trim();
		const server: ServerRecord = {
			id: existing?.id ?? crypto.randomUUID(),
			name,
			baseUrl: url.url,
			...(token ? { token } : {}),
			order: existing?.order ?? this.#servers.reduce((max, s) => Math.max(max, s.order + 1), 0),
			createdAt: existing?.createdAt ?? Date.now()
		};
		const db = await this.#db;
		if (db) await saveServer(db, server);
		this.#servers = existing
			? this.#servers.map((s) => (s.id === server.id ? server : s))
			: [...this.#servers, server];
		return { ok: true, server };
	}

	/** Removes a server from the list. */
	async removeServer(id: string): Promise<void> {
		const db = await this.#db;
		if (db) await deleteServer(db, id);
		this.#servers = this.#servers.filter((s) => s.id !== id);
	}

	/** Changes one setting and saves it. */
	async set<K extends keyof SettingsValues>({
		key,
		value
	}: {
		key: K;
		value: SettingsValues[K];
	}): Promise<void> {
		this.#values = { ...this.#values, [key]: value };
		const db = await this.#db;
		if (db) await saveSetting(db, key, value);
	}
}

function sameServerUrl(a: string, b: string): boolean {
	const normalized = normalizeServerUrl(a);
	return (normalized.ok ? normalized.url : a) === b;
}
