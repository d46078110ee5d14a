/**
 * The `jobs` store: the core's `JobStore` over IndexedDB, and the app's reads and writes of its own part. Every
 * record read is migrated and checked (`readStoredJob`); one that cannot be read is skipped and reported.
 */
import type { JobStatus, JobStore } from '$lib/comfy';
import type { DeckDb } from './db';
import { dropJournalNote, replayJobJournal, writeJournalNote, type JournalStorage } from './job-journal';
import { readStoredJob, type JobAppInfo, type StoredJob } from './stored-job';
import { reportUnreadable } from './unreadable';

export type { JobAppInfo, KeptImage, StoredJob } from './stored-job';

// Every status `isTerminal` says is not an end.
const UNFINISHED = ['pending', 'queued', 'running'] as const satisfies readonly JobStatus[];

/**
 * The jobs among records read from the store, in their order; the others are reported and left out.
 * @param db the database they were read from (where a skipped record is reported).
 * @param values the records as IndexedDB returned them.
 */
export function readJobs(db: DeckDb, values: readonly unknown[]): StoredJob[] {
	const jobs: StoredJob[] = [];
	for (const value of values) {
		const job = readJob(db, value);
		if (job) jobs.push(job);
	}
	return jobs;
}

/**
 * One record read from the store as a job; undefined (and reported) when it cannot be read.
 * @param db the database it was read from.
 * @param value the record as IndexedDB returned it (undefined when there was none).
 */
export function readJob(db: DeckDb, value: unknown): StoredJob | undefined {
	if (value === undefined) return undefined;
	const read = readStoredJob(value);
	if (read.ok) return read.job;
	reportUnreadable(db, { store: 'jobs', key: read.key, problem: read.problem });
	return undefined;
}

/**
 * One job with everything kept about it.
 * @param db the open database.
 * @param id the job's prompt id.
 */
export async function getJob(db: DeckDb, id: string): Promise<StoredJob | undefined> {
	return readJob(db, await db.get('jobs', id));
}

/**
 * The jobs of one server, in no particular order.
 * @param db the open database.
 * @param serverId the server's id (`ServerRecord.id`).
 */
export async function listJobsOfServer(db: DeckDb, serverId: string): Promise<StoredJob[]> {
	return readJobs(db, await db.getAllFromIndex('jobs', 'byServer', serverId));
}

/**
 * Every job, in no particular order.
 * @param db the open database.
 */
export async function listJobs(db: DeckDb): Promise<StoredJob[]> {
	return readJobs(db, await db.getAll('jobs'));
}

/**
 * The jobs that have not ended yet (pending, queued, running), in no particular order. Read by the status index:
 * at app start this must not read (and check) every run in history to find the few still open.
 * @param db the open database.
 */
export async function listUnfinishedJobs(db: DeckDb): Promise<StoredJob[]> {
	const tx = db.transaction('jobs');
	const index = tx.store.index('byStatus');
	const values = await Promise.all(UNFINISHED.map((status) => index.getAll(status)));
	await tx.done;
	return readJobs(db, values.flat());
}

/**
 * Ends the unfinished jobs of servers no longer configured (`interrupted`, saying why): nothing can follow them any
 * more. Their records and kept images stay in history.
 * @param options.keep every server still in use (jobs of these are left alone).
 * @returns the records as ended.
 */
export async function endJobsOfServersGone(options: {
	db: DeckDb;
	keep: ReadonlySet<string>;
	now: number;
}): Promise<StoredJob[]> {
	const ended: StoredJob[] = [];
	for (const job of await listUnfinishedJobs(options.db)) {
		if (options.keep.has(job.serverId)) continue;
		const record: StoredJob = {
			...job,
			status: 'interrupted',
			error: {
				kind: 'interrupted',
				message: 'Its server was removed from Settings, so this job can no longer be followed.'
			},
			timings: { ...job.timings, finished: options.now }
		};
		await putJob(options.db, record);
		ended.push(record);
	}
	return ended;
}

/**
 * The jobs started from one template, in no particular order.
 * @param db the open database.
 * @param templateId the template's id (`app.templateId`).
 */
export async function listJobsOfTemplate(db: DeckDb, templateId: string): Promise<StoredJob[]> {
	return readJobs(db, await db.getAllFromIndex('jobs', 'byTemplate', templateId));
}

/**
 * The jobs created at or after a time, newest first.
 * @param db the open database.
 * @param since the earliest creation time (ms since epoch).
 */
export async function listJobsSince(db: DeckDb, since: number): Promise<StoredJob[]> {
	const values = await db.getAllFromIndex('jobs', 'byCreatedAt', IDBKeyRange.lowerBound(since));
	return readJobs(db, values.reverse());
}

/**
 * The jobs created at or after a time, newest first, read `chunkSize` at a time with a pause between reads: a
 * browser turns each read's records into objects in one go on the main thread, and two weeks of a busy history
 * read at once would hold up whatever the user does next (opening History). `keepGoing` is asked before each
 * read; when it says no (the view closed) the read stops and resolves with undefined.
 * @param db the open database.
 * @param options.since the earliest creation time (ms since epoch).
 * @param options.chunkSize records per read (at least 2; a run of equal times is read whole).
 * @param options.keepGoing false stops the read.
 */
export async function listJobsSinceInChunks(
	db: DeckDb,
	options: { since: number; chunkSize?: number; keepGoing?: () => boolean }
): Promise<StoredJob[] | undefined> {
	const { since, keepGoing = () => true } = options;
	const chunkSize = Math.max(2, options.chunkSize ?? 500);
	const jobs: StoredJob[] = [];
	// Everything newer than `below` (exclusive) has been read.
	let below: number | undefined;
	for (;;) {
		if (!keepGoing()) return undefined;
		if (below !== undefined && below <= since) break;
		const range =
			below === undefined ? IDBKeyRange.lowerBound(since) : IDBKeyRange.bound(since, below, false, true);
		const tx = db.transaction('jobs');
		const index = tx.store.index('byCreatedAt');
		// Keys only (no record is read): the newest time in range, then the time `chunkSize` records older.
		const newest = await index.openKeyCursor(range, 'prev');
		if (!newest) break;
		const top = newest.key;
		const oldest = await newest.advance(chunkSize - 1);
		const bottom = oldest ? oldest.key : since;
		const values = await index.getAll(IDBKeyRange.bound(bottom, top));
		await tx.done;
		jobs.push(...readJobs(db, values.reverse()));
		if (!oldest) break;
		below = bottom;
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
	return jobs;
}

/**
 * The core's `JobStore` over IndexedDB for one server. The tracker writes its record as the job moves; the app's
 * own fields (`app`: template, parameters, kept images…) are preserved across those writes. A new job is noted in
 * the journal first (`journal`), so its POST need not wait for IndexedDB; `list` writes back what a page that went
 * away noted but never wrote.
 * @param options.db the database, possibly still opening.
 * @param options.serverId the server whose jobs this store holds.
 * @param options.journal where new jobs are noted (localStorage in the app; none: every new job waits for its write).
 */
export function createIndexedDbJobStore(options: {
	db: Promise<DeckDb>;
	serverId: string;
	/** The app's part of jobs about to be submitted (`stageJob`), written with the tracker's first record. */
	staged?: StagedJobs;
	journal?: JournalStorage;
}): JobStore {
	// Jobs noted in the journal whose record is not written yet.
	const noted = new Set<string>();
	return {
		journal(record) {
			const app = options.staged?.get(record.id)?.app;
			const ok = writeJournalNote({ storage: options.journal, serverId: options.serverId, record, app });
			if (ok) noted.add(record.id);
			return ok;
		},
		async put(record) {
			// Taken now, not after the database opens: the caller may unstage it once its POST is answered.
			const staged = options.staged?.get(record.id);
			if (staged) options.staged?.delete(record.id);
			const db = await options.db;
			if (staged) {
				// A new job: nothing stored to merge with, so one plain write (the first one).
				await db.put('jobs', {
					...record,
					serverId: staged.serverId,
					createdAt: record.timings.created,
					app: staged.app
				});
			} else {
				const tx = db.transaction('jobs', 'readwrite');
				const existing = readJob(db, await tx.store.get(record.id));
				await tx.store.put({
					...record,
					serverId: existing?.serverId ?? options.serverId,
					createdAt: record.timings.created,
					app: existing?.app ?? {}
				});
				await tx.done;
			}
			if (noted.delete(record.id)) dropJournalNote(options.journal, record.id);
		},
		async get(id) {
			return getJob(await options.db, id);
		},
		async list(filter = {}) {
			const db = await options.db;
			await replayJobJournal({ db, storage: options.journal });
			const all = await listJobsOfServer(db, options.serverId);
			return all.filter((job) => !filter.serverUrl || job.serverUrl === filter.serverUrl);
		},
		async delete(id) {
			await (await options.db).delete('jobs', id);
			if (noted.delete(id)) dropJournalNote(options.journal, id);
		}
	};
}

/** The app's part of jobs about to be submitted, by prompt id. */
export type StagedJobs = Map<string, { serverId: string; app: JobAppInfo }>;

/**
 * Merges the app's fields into a stored job; undefined when there is no such job (or it cannot be read).
 * @param db the open database.
 * @param id the job's prompt id.
 * @param update gets the current app part and returns the new one.
 */
export async function updateJobApp(
	db: DeckDb,
	id: string,
	update: (app: JobAppInfo) => JobAppInfo
): Promise<StoredJob | undefined> {
	const tx = db.transaction('jobs', 'readwrite');
	const stored = readJob(db, await tx.store.get(id));
	if (!stored) {
		await tx.done;
		return undefined;
	}
	const next: StoredJob = { ...stored, app: update(stored.app) };
	await tx.store.put(next);
	await tx.done;
	return next;
}

/**
 * Writes a whole job record: a new one before submission (the tracker has not seen it yet), or one the app ends
 * itself.
 * @param db the open database.
 * @param job the whole record.
 */
export async function putJob(db: DeckDb, job: StoredJob): Promise<void> {
	await db.put('jobs', job);
}

/**
 * Every stored job, newest first.
 * @param db the open database.
 * @param options.limit read at most this many.
 */
export async function listJobsNewestFirst(
	db: DeckDb,
	options: { limit?: number } = {}
): Promise<StoredJob[]> {
	const jobs: StoredJob[] = [];
	let cursor = await db.transaction('jobs').store.index('byCreatedAt').openCursor(null, 'prev');
	while (cursor && (options.limit === undefined || jobs.length < options.limit)) {
		const job = readJob(db, cursor.value);
		if (job) jobs.push(job);
		cursor = await cursor.continue();
	}
	return jobs;
}
