/**
 * Export everything Comfy Deck keeps (history with its images' original bytes and thumbnails, templates with
 * every version, presets, settings, servers) into one zip, and import it into another browser without
 * duplicates. Reading validates the whole archive before anything is written; writing is one transaction.
 * Writing the zip lives in backup-export.ts and reading it in backup-read.ts; importing what was read is here.
 */
import { decideImport, readExisting, type ImportReport } from './backup-merge';
import type { ParsedBackup } from './backup-read';
import type { DeckDb } from './db';

export type { ImportReport } from './backup-merge';
export { backupFileName, exportBackup, type ExportResult, type OmittedRecord } from './backup-export';
export { readBackup, type ParsedBackup, type ReadBackupResult } from './backup-read';

/** The stores a backup writes into (tests compare their counts). */
export const IMPORT_STORES = [
	'jobs',
	'images',
	'templates',
	'templateVersions',
	'presets',
	'servers',
	'settings'
] as const;

/** What importing `backup` would do here, without writing anything (for the summary shown before import). */
export async function planImport(
	db: DeckDb,
	backup: ParsedBackup,
	options: { now?: number } = {}
): Promise<ImportReport> {
	const tx = db.transaction([...IMPORT_STORES], 'readonly');
	const existing = await readExisting(tx);
	await tx.done;
	return decideImport({ existing, backup, now: options.now ?? Date.now() }).report;
}

/**
 * Imports a checked backup in one transaction: jobs by id, images by hash, presets by id, servers by address
 * are added only when missing; a template that differs from the local one of the same id is added as a new
 * version of it (the local one stays current). If any write fails, nothing is written.
 */
export async function importBackup(
	db: DeckDb,
	backup: ParsedBackup,
	options: { now?: number } = {}
): Promise<ImportReport> {
	const tx = db.transaction([...IMPORT_STORES], 'readwrite');
	const existing = await readExisting(tx);
	const { report, writes } = decideImport({ existing, backup, now: options.now ?? Date.now() });
	const puts: Promise<unknown>[] = [
		...writes.servers.map((s) => tx.objectStore('servers').put(s)),
		...writes.templates.map((t) => tx.objectStore('templates').put(t)),
		...writes.templateVersions.map((v) => tx.objectStore('templateVersions').put(v)),
		...writes.presets.map((p) => tx.objectStore('presets').put(p)),
		...writes.images.map((i) => tx.objectStore('images').put(i)),
		...writes.jobs.map((j) => tx.objectStore('jobs').put(j)),
		...writes.settings.map(([key, value]) => tx.objectStore('settings').put(value as never, key as never))
	];
	await Promise.all([...puts, tx.done]);
	return report;
}
