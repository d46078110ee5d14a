import type { JobRecord, JobStore } from '$lib/comfy';
import type { DeckDb, StoredJob } from './db';

/** An image of a job as history keeps it: where it came from on the server, and its bytes' hash here. */
export interface KeptImage {
	filename: string;
	subfolder: string;
	type: string;
	nodeId?: string;
	/** SHA-256 of the original bytes in the `images` store; missing until fetched. */
	hash?: string;
	width?: number;
	height?: number;
	bytes?: number;
	/** `image`, `animated`, `video`, `audio` or `other` (absent on runs kept before kinds: images). */
	kind?: string;
	/** The content type `/view` answered with. */
	mime?: string;
	/** Seconds, for video and audio. */
	duration?: number;
}

/** What the app adds to the core's job record: where it came from and what was kept of it. */
export interface JobAppInfo {
	templateId?: string;
	templateName?: string;
	presetId?: string;
	/** The form values that made the workflow. */
	parameters?: Record<string, unknown>;
	/** Canonical hash of the API prompt (the cache key). */
	promptHash?: string;
	/** True when a random seed made this run, so its result must never be served from the cache. */
	randomized?: boolean;
	images?: KeptImage[];
	/** The user's labels (the history gallery filters by them). */
	tags?: string[];
	note?: string;
	/** Who ran it, from Settings (the seed plan's `userInitials`). */
	userInitials?: string;
}

/** A job as stored: the core's record, the server it ran on, and the app's additions. */
export type HistoryJob = JobRecord & { serverId: string; createdAt: number; app: JobAppInfo };

function fromStored(stored: StoredJob): HistoryJob {
	return stored as unknown as HistoryJob;
}

/**
 * The core's `JobStore` over IndexedDB for one server. The tracker writes its record as the job moves; the app's
 * own fields (`app`: template, parameters, kept images…) are preserved across those writes.
 */
export function createIndexedDbJobStore(options: { db: Promise<DeckDb>; serverId: string }): JobStore {
	return {
		async put(record) {
			const db = await options.db;
			const tx = db.transaction('jobs', 'readwrite');
			const existing = (await tx.store.get(record.id)) as HistoryJob | undefined;
			const stored = {
				...record,
				serverId: existing?.serverId ?? options.serverId,
				createdAt: record.timings.created,
				app: existing?.app ?? {}
			};
			await tx.store.put(stored as unknown as StoredJob);
			await tx.done;
		},
		async get(id) {
			const stored = await (await options.db).get('jobs', id);
			return stored && (fromStored(stored) as JobRecord);
		},
		async list(filter = {}) {
			const db = await options.db;
			const all = (await db.getAllFromIndex('jobs', 'byServer', options.serverId)).map(fromStored);
			return all.filter((job) => !filter.serverUrl || job.serverUrl === filter.serverUrl);
		},
		async delete(id) {
			await (await options.db).delete('jobs', id);
		}
	};
}

/** Merges the app's fields into a stored job (creating the `app` part when the job is new). */
export async function updateJobApp(
	db: DeckDb,
	id: string,
	update: (app: JobAppInfo) => JobAppInfo
): Promise<HistoryJob | undefined> {
	const tx = db.transaction('jobs', 'readwrite');
	const stored = (await tx.store.get(id)) as HistoryJob | undefined;
	if (!stored) {
		await tx.done;
		return undefined;
	}
	const next: HistoryJob = { ...stored, app: update(stored.app ?? {}) };
	await tx.store.put(next as unknown as StoredJob);
	await tx.done;
	return next;
}

/** Writes a job record the tracker has not seen yet, with its app info: used before submission. */
export async function putNewJob(db: DeckDb, job: HistoryJob): Promise<void> {
	await db.put('jobs', job as unknown as StoredJob);
}

/** Every stored job, newest first. */
export async function listJobsNewestFirst(
	db: DeckDb,
	options: { limit?: number } = {}
): Promise<HistoryJob[]> {
	const jobs: HistoryJob[] = [];
	let cursor = await db.transaction('jobs').store.index('byCreatedAt').openCursor(null, 'prev');
	while (cursor && (options.limit === undefined || jobs.length < options.limit)) {
		jobs.push(fromStored(cursor.value));
		cursor = await cursor.continue();
	}
	return jobs;
}
