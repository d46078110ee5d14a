/**
 * The job journal: a new job is noted in localStorage, synchronously, the moment it is made, so its POST can leave
 * while IndexedDB writes the record (the core's `JobStore.journal`). A reload or a crash before that write is done
 * finds the note, and the next load of the jobs writes the record from it (`replayJobJournal`): nothing sent is
 * ever unknown to the app. The note goes once the record is in IndexedDB.
 */
import type { JobRecord } from '$lib/comfy';
import type { DeckDb } from './db';
import { readStoredJob, type JobAppInfo, type StoredJob } from './stored-job';
import { reportUnreadable } from './unreadable';

const PREFIX = 'comfy-deck.job-journal.';

/**
 * A note larger than this is not written (the job's record is then written before its POST, as without a journal):
 * localStorage writes block the page, and its whole quota is a few megabytes.
 */
export const JOURNAL_NOTE_MAX_CHARS = 200_000;

/** The part of `Storage` the journal uses (localStorage in the app; tests hand in their own). */
export type JournalStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

interface JournalNote {
	serverId: string;
	record: JobRecord;
	app?: JobAppInfo;
}

/** localStorage, or undefined where there is none or it is refused (a sandboxed frame, some private modes). */
export function browserJournalStorage(): JournalStorage | undefined {
	try {
		return typeof localStorage === 'undefined' ? undefined : localStorage;
	} catch {
		return undefined;
	}
}

/**
 * Notes a new job; false when it could not be noted (no storage, full, or too large), and the caller must then wait
 * for the record's IndexedDB write before sending.
 * @param options.app the app's part of the job (template, parameters), when it has one already.
 */
export function writeJournalNote(options: {
	storage: JournalStorage | undefined;
	serverId: string;
	record: JobRecord;
	app?: JobAppInfo;
}): boolean {
	const { storage, serverId, record, app } = options;
	if (!storage) return false;
	try {
		const note: JournalNote = { serverId, record, ...(app ? { app } : {}) };
		const text = JSON.stringify(note);
		if (text.length > JOURNAL_NOTE_MAX_CHARS) return false;
		storage.setItem(PREFIX + record.id, text);
		return true;
	} catch {
		return false;
	}
}

/** Drops a job's note (its record is in IndexedDB now, or it was deleted). */
export function dropJournalNote(storage: JournalStorage | undefined, id: string): void {
	try {
		storage?.removeItem(PREFIX + id);
	} catch {
		// A note that stays is only written again as the record it already is (`replayJobJournal` skips it).
	}
}

/**
 * Writes the job of every note whose record is not in IndexedDB (the page that noted it went away before writing
 * it), then drops the notes. A note that cannot be read as a job is reported and dropped.
 * @returns how many jobs were written from notes.
 */
export async function replayJobJournal(options: {
	db: DeckDb;
	storage: JournalStorage | undefined;
}): Promise<number> {
	const { db, storage } = options;
	if (!storage) return 0;
	const keys: string[] = [];
	try {
		for (let i = 0; i < storage.length; i++) {
			const key = storage.key(i);
			if (key?.startsWith(PREFIX)) keys.push(key);
		}
	} catch {
		return 0;
	}
	let written = 0;
	for (const key of keys) {
		const job = jobOfNote(storage.getItem(key));
		const id = key.slice(PREFIX.length);
		if (!job || job.id !== id) {
			reportUnreadable(db, {
				store: 'jobs',
				key: id,
				problem: 'a job noted before sending could not be read'
			});
		} else {
			const tx = db.transaction('jobs', 'readwrite');
			if ((await tx.store.getKey(id)) === undefined) {
				await tx.store.put(job);
				written++;
			}
			await tx.done;
		}
		dropJournalNote(storage, id);
	}
	return written;
}

function jobOfNote(text: string | null): StoredJob | undefined {
	if (!text) return undefined;
	try {
		const note = JSON.parse(text) as Partial<JournalNote>;
		if (!note.record || typeof note.serverId !== 'string') return undefined;
		const read = readStoredJob({
			...note.record,
			serverId: note.serverId,
			createdAt: note.record.timings?.created,
			app: note.app ?? {}
		});
		return read.ok ? read.job : undefined;
	} catch {
		return undefined;
	}
}
