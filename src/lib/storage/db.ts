import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Template } from '$lib/comfy/workflow';
import type { StoredGrid } from './grids';
import type { StoredJob } from './stored-job';
import type { TemplateVersion } from './templates';
import { watchUnreadable, type UnreadableListener } from './unreadable';

/** A ComfyUI server the user configured. */
export interface ServerRecord {
	/** Stable id (UUID), also used in URLs and job records. */
	id: string;
	/** What the user calls it ("Studio box"). */
	name: string;
	/** Base URL, possibly with a path prefix (`https://host/comfy/`). */
	baseUrl: string;
	/** Optional bearer token for an auth proxy in front of ComfyUI. */
	token?: string;
	/** Position in the server list. */
	order: number;
	createdAt: number;
}

/** Log levels the client's ring buffer knows. */
export type LogLevelSetting = 'debug' | 'info' | 'warn' | 'error';

/** Theme preference: follow the system, or a manual choice. */
export type ThemeSetting = 'system' | 'light' | 'dark';

/** App-wide settings, one value per key. */
export interface SettingsValues {
	logLevel: LogLevelSetting;
	theme: ThemeSetting;
	/** The largest size of the result cache, in MiB (history is never counted or evicted). */
	cacheMaxMb: number;
	/** Recorded with every generation (the seed plan's `userInitials`), so shared history says who made what. */
	userInitials: string;
	/** The browser queue: most items released or running per server. */
	queueMaxInFlight: number;
	/** The browser queue waits while a server's own queue is longer than this. */
	queueThreshold: number;
	/** Submissions per second over all servers (0: no limit). */
	queueRate: number;
	/** Submissions that may go out back to back. */
	queueBurst: number;
}

/** A named parameter set of a template. */
export interface StoredPreset {
	id: string;
	templateId: string;
	name: string;
	values: Record<string, unknown>;
	isDefault?: boolean;
	updatedAt: number;
}

/**
 * A result's bytes and thumbnail, stored once per content hash (SHA-256, hex): images, but also videos (the
 * thumbnail is a frame taken in the browser), audio, and files of other kinds.
 */
export interface StoredImage {
	hash: string;
	blob: Blob;
	thumbnail?: Blob;
	mime: string;
	width?: number;
	height?: number;
	bytes: number;
	createdAt: number;
	/** `image`, `animated`, `video`, `audio`, `text` or `other` (src/lib/comfy/output-kind); absent = image. */
	kind?: string;
	/** Seconds, for video and audio. */
	duration?: number;
	/** The browser could not decode it (a codec it lacks, a truncated file): shown as a download. */
	unplayable?: boolean;
	/** A sound's waveform (0…1 per bar, `audioPeaks`); its `thumbnail` is the same drawn. */
	peaks?: number[];
}

/** A cache entry: a successful result indexed by the canonical hash of its API prompt (LRU by lastUsedAt). */
export interface StoredCacheEntry {
	promptHash: string;
	jobId: string;
	serverId: string;
	imageHashes: string[];
	bytes: number;
	createdAt: number;
	lastUsedAt: number;
}

/** One sample of a server's system stats, for the dashboard's last-hour charts. */
export interface StoredStatsSample {
	serverId: string;
	t: number;
	vramUsed?: number;
	vramTotal?: number;
	ramUsed?: number;
	ramTotal?: number;
	queue?: number;
}

/** The last values of a template's generate form, so reopening the template brings them back. */
export interface StoredFormValues {
	templateId: string;
	values: Record<string, unknown>;
	seedModes: Record<string, string>;
	updatedAt: number;
}

/**
 * What a server said that changes only with its software (node definitions, model lists, features), kept so views
 * open at once (and offline) from the last answer. One record per server and kind; a new server version replaces it.
 */
export interface StoredServerData {
	serverId: string;
	/** `object_info`, `models` or `features`. */
	kind: string;
	/** The server's `comfyui_version` when it was read (absent when it was not known yet). */
	version?: string;
	/** The answer as the query held it; parsed again on read. */
	data: unknown;
	/** When the server gave it, ms. */
	savedAt: number;
}

/**
 * Where results are saved as they arrive, besides IndexedDB: nowhere, a folder the user chose (the File System
 * Access API, Chromium), or a download per file. One record (key `results`). Kept out of the settings store, which
 * backups write as JSON: a folder handle is a browser object, meaningful only in the browser that chose it.
 */
export interface StoredResultSaving {
	mode: 'off' | 'folder' | 'download';
	/** The chosen folder (a FileSystemDirectoryHandle: structured-cloneable, so IndexedDB keeps it). */
	folder?: FileSystemDirectoryHandle;
}

/**
 * The batches and grids whose runs wait for one zip (downloads, while the batch still has runs to come), by id:
 * a second record of the `resultSaving` store (key `zipWaits`), so a reload mid-batch still offers the zip.
 */
export type StoredZipWaits = string[];

/** Every object store of Comfy Deck's database, one schema for all of them. */
export interface DeckSchema extends DBSchema {
	servers: { key: string; value: ServerRecord; indexes: { byOrder: number } };
	settings: { key: keyof SettingsValues; value: SettingsValues[keyof SettingsValues] };
	jobs: {
		key: string;
		value: StoredJob;
		indexes: {
			byCreatedAt: number;
			byStatus: string;
			byServer: string;
			byTemplate: string;
			byTag: string;
			byBatch: string;
			byStyle: string;
		};
	};
	templates: { key: string; value: Template; indexes: { byUpdatedAt: number } };
	templateVersions: {
		key: [string, number];
		value: TemplateVersion;
		indexes: { byTemplate: string };
	};
	presets: { key: string; value: StoredPreset; indexes: { byTemplate: string } };
	images: { key: string; value: StoredImage; indexes: { byCreatedAt: number } };
	cache: { key: string; value: StoredCacheEntry; indexes: { byLastUsed: number } };
	stats: { key: [string, number]; value: StoredStatsSample; indexes: { byTime: number } };
	formValues: { key: string; value: StoredFormValues };
	grids: { key: string; value: StoredGrid; indexes: { byCreatedAt: number; byJob: string } };
	/**
	 * The browser queue's own record (key `state`: paused or not) and items set aside as unreadable; before v12,
	 * the whole queue as one snapshot (key `queue`). Both queue stores are `unknown` on purpose, unlike the others:
	 * the v12 migration moves an old snapshot's items in unchecked, and what cannot be read is set aside exactly as
	 * it was found; every value is checked by the core's parser when it is read (`loadBrowserQueue`).
	 */
	browserQueue: { key: string; value: unknown };
	/** One record per browser queue item, with its place in the queue (read back through the core's parser). */
	queueItems: { key: string; value: unknown; indexes: { byPosition: number } };
	serverData: { key: [string, string]; value: StoredServerData };
	resultSaving: { key: string; value: StoredResultSaving | StoredZipWaits };
}

export const DB_NAME = 'comfy-deck';

type UpgradeTx = IDBPTransaction<DeckSchema, StoreNames<DeckSchema>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<DeckSchema>, tx: UpgradeTx) => void;

// One entry per schema version, applied in order: version N runs MIGRATIONS[N - 1]. Never edit a shipped
// entry; add a new one, so a browser that last ran any older version upgrades step by step.
const MIGRATIONS: Migration[] = [
	// v1: servers and settings.
	(db) => {
		const servers = db.createObjectStore('servers', { keyPath: 'id' });
		servers.createIndex('byOrder', 'order');
		db.createObjectStore('settings');
	},
	// v2: job records, so a submitted job survives a reload (the protocol core's JobStore).
	(db) => {
		const jobs = db.createObjectStore('jobs', { keyPath: 'id' });
		jobs.createIndex('byCreatedAt', 'createdAt');
		jobs.createIndex('byStatus', 'status');
		jobs.createIndex('byServer', 'serverId');
	},
	// v3: templates with versions and presets, images by content hash, the result cache, stats history.
	(db) => {
		db.createObjectStore('templates', { keyPath: 'id' }).createIndex('byUpdatedAt', 'updatedAt');
		db.createObjectStore('templateVersions', { keyPath: ['templateId', 'version'] }).createIndex(
			'byTemplate',
			'templateId'
		);
		db.createObjectStore('presets', { keyPath: 'id' }).createIndex('byTemplate', 'templateId');
		db.createObjectStore('images', { keyPath: 'hash' }).createIndex('byCreatedAt', 'createdAt');
		db.createObjectStore('cache', { keyPath: 'promptHash' }).createIndex('byLastUsed', 'lastUsedAt');
		db.createObjectStore('stats', { keyPath: ['serverId', 't'] }).createIndex('byTime', 't');
	},
	// v4: the history gallery filters by template and by tag without reading every job.
	(_db, tx) => {
		const jobs = tx.objectStore('jobs');
		jobs.createIndex('byTemplate', 'app.templateId');
		jobs.createIndex('byTag', 'app.tags', { multiEntry: true });
	},
	// v5: the generate form remembers each template's last values.
	(db) => {
		db.createObjectStore('formValues', { keyPath: 'templateId' });
	},
	// v6: X/Y grids (their axes and which run each cell is), listed newest first and found from any of their runs.
	(db) => {
		const grids = db.createObjectStore('grids', { keyPath: 'id' });
		grids.createIndex('byCreatedAt', 'createdAt');
		grids.createIndex('byJob', 'jobIds', { multiEntry: true });
	},
	// v7: the runs of a batch or grid (the dispatcher tags each job with its group), so a grid finds its cells'
	// runs even when its record never learned their prompt ids (the tab closed right after a release).
	(_db, tx) => {
		tx.objectStore('jobs').createIndex('byBatch', 'metadata.batch');
	},
	// v8: the history gallery filters by a run's style label, and the filter lists the styles used.
	(_db, tx) => {
		tx.objectStore('jobs').createIndex('byStyle', 'app.style');
	},
	// v9: the browser queue (batches and grids waiting for a server) survives reloads and browser restarts.
	(db) => {
		db.createObjectStore('browserQueue');
	},
	// v10: node definitions, model lists and features per server, so the form and editor open from the last answer.
	(db) => {
		db.createObjectStore('serverData', { keyPath: ['serverId', 'kind'] });
	},
	// v11: where results are saved as they arrive (a folder the user chose, or downloads), with the folder's handle.
	(db) => {
		db.createObjectStore('resultSaving');
	},
	// v12: the browser queue as one record per item, so a change writes that item, not the whole queue. The stored
	// snapshot becomes items in its order (unchecked here: the loader checks each item and sets aside what it cannot
	// read); one that does not even hold a list of items is left where it is, for the loader to report.
	(db, tx) => {
		db.createObjectStore('queueItems', { keyPath: 'id' }).createIndex('byPosition', 'position');
		const queue = tx.objectStore('browserQueue');
		void queue.get('queue').then((snapshot: unknown) => {
			const { entries, paused, savedAt } = (snapshot ?? {}) as Record<string, unknown>;
			if (!Array.isArray(entries)) return;
			const ids = entries.map((e: unknown) => (e as { id?: unknown } | null)?.id);
			if (!ids.every((id) => typeof id === 'string' && id) || new Set(ids).size !== ids.length) return;
			const items = tx.objectStore('queueItems');
			entries.forEach((entry: object, position) => void items.put({ ...entry, position }));
			const state = {
				version: 2,
				paused: paused === true,
				savedAt: typeof savedAt === 'number' ? savedAt : 0
			};
			void queue.put(state, 'state');
			void queue.delete('queue');
		});
	}
];

/** The newest schema version this build knows. */
export const DB_VERSION = MIGRATIONS.length;

export type DeckDb = IDBPDatabase<DeckSchema>;

/**
 * Opens (creating or upgrading as needed) Comfy Deck's IndexedDB database.
 * @param options.name database name; tests pass a unique one.
 * @param options.version schema version to open; tests open older versions to check upgrades.
 * @param options.onUnreadable told of each record a repository had to skip (else they go to the console).
 */
export function openDeckDb(
	options: { name?: string; version?: number; onUnreadable?: UnreadableListener } = {}
): Promise<DeckDb> {
	const version = options.version ?? DB_VERSION;
	if (version < 1 || version > DB_VERSION) throw new RangeError(`No schema version ${version}.`);
	const opening = openDB<DeckSchema>(options.name ?? DB_NAME, version, {
		upgrade(db, oldVersion, newVersion, tx) {
			for (let v = oldVersion; v < (newVersion ?? version); v++) MIGRATIONS[v]?.(db, tx);
		},
		blocking(_current, _blocked, event) {
			// Another tab wants a newer schema: let it upgrade rather than freeze both tabs.
			(event.target as IDBDatabase).close();
		}
	});
	const listener = options.onUnreadable;
	if (!listener) return opening;
	return opening.then((db) => {
		watchUnreadable(db, listener);
		return db;
	});
}
