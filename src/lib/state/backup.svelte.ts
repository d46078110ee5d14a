import {
	exportBackup,
	importBackup,
	planImport,
	readBackup,
	type ImportReport,
	type ParsedBackup
} from '$lib/storage/backup';
import type { DeckDb } from '$lib/storage/db';
import { writeWithEviction } from '$lib/storage/quota';
import { downloadBlob } from '$lib/util/download';
import { formatBytes } from '$lib/util/units';
import { version as APP_VERSION } from '../../../package.json';
import { errorMessage } from '$lib/util/error-message';

/** A backup read and checked, with what importing it would do, waiting for the user's yes. */
export interface BackupReview {
	fileName: string;
	backup: ParsedBackup;
	plan: ImportReport;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Export everything to one file, and import one with a review first (Settings → Backup). */
export class BackupState {
	/** Whether an export writes the servers' tokens too (a checkbox the user ticks). */
	includeTokens = $state(false);
	#exporting = $state(false);
	#progress = $state<{ done: number; total: number } | null>(null);
	#exportMessage = $state<string | null>(null);
	#reading = $state(false);
	#importing = $state(false);
	#review = $state.raw<BackupReview | null>(null);
	#result = $state.raw<{ fileName: string; report: ImportReport } | null>(null);
	#error = $state<string | null>(null);

	#db: Promise<DeckDb>;
	#onImported: () => Promise<void> | void;
	#download: (blob: Blob, fileName: string) => void;

	constructor(options: {
		db: Promise<DeckDb>;
		/** Reload what the views show (settings, servers, templates, history) after an import. */
		onImported?: () => Promise<void> | void;
		download?: (blob: Blob, fileName: string) => void;
	}) {
		this.#db = options.db;
		this.#onImported = options.onImported ?? (() => {});
		this.#download = options.download ?? downloadBlob;
	}

	/** True while an export writes its zip. */
	get exporting(): boolean {
		return this.#exporting;
	}

	/** Images written so far during an export. */
	get progress(): { done: number; total: number } | null {
		return this.#progress;
	}

	/** What the last export saved, in words. */
	get exportMessage(): string | null {
		return this.#exportMessage;
	}

	/** True while a picked file is read and checked. */
	get reading(): boolean {
		return this.#reading;
	}

	/** True while a reviewed backup is written. */
	get importing(): boolean {
		return this.#importing;
	}

	/** The backup read and checked, waiting for the user's yes (or no). */
	get review(): BackupReview | null {
		return this.#review;
	}

	/** What the last import did. */
	get result(): { fileName: string; report: ImportReport } | null {
		return this.#result;
	}

	/** Why the last export, read or import failed (shown as text). */
	get error(): string | null {
		return this.#error;
	}

	/** Writes everything into one zip and hands it to the browser as a download. */
	async exportAll(): Promise<void> {
		this.#exporting = true;
		this.#error = null;
		this.#exportMessage = null;
		try {
			const db = await this.#db;
			const result = await exportBackup(db, {
				appVersion: APP_VERSION,
				includeTokens: this.includeTokens,
				onProgress: (done, total) => (this.#progress = { done, total })
			});
			this.#download(result.blob, result.fileName);
			const c = result.manifest.counts;
			this.#exportMessage =
				`Saved ${result.fileName} (${formatBytes(result.blob.size)}): ${plural(c.jobs, 'generation')}, ` +
				`${plural(c.images, 'image')}, ${plural(c.templates, 'template')}, ${plural(c.presets, 'preset')}, ` +
				`${plural(c.servers, 'server')}${result.manifest.includesTokens ? ' with their tokens' : ''}.` +
				(result.omitted.length
					? ` ${plural(result.omitted.length, 'record')} could not be read and ${result.omitted.length === 1 ? 'was' : 'were'} left out: ${result.omitted
							.slice(0, 3)
							.map((o) => `${o.kind} ${o.id}`)
							.join(', ')}${result.omitted.length > 3 ? '…' : ''}.`
					: '');
		} catch (error) {
			this.#error = `Could not export: ${errorMessage(error, { sentence: true })}`;
		} finally {
			this.#exporting = false;
			this.#progress = null;
		}
	}

	/** Reads and checks a picked or dropped file, then shows what importing it would do. Writes nothing. */
	async readFile(file: File): Promise<void> {
		if (this.#reading || this.#importing) return;
		this.#reading = true;
		this.#error = null;
		this.#review = null;
		this.#result = null;
		try {
			const read = await readBackup({ file });
			if (!read.ok) {
				this.#error = read.message;
				return;
			}
			const plan = await planImport(await this.#db, read.backup);
			this.#review = { fileName: file.name, backup: read.backup, plan };
		} catch (error) {
			this.#error = `Could not read ${file.name}: ${errorMessage(error, { sentence: true })} Nothing was imported.`;
		} finally {
			this.#reading = false;
		}
	}

	/** Imports the reviewed backup in one transaction (a full quota first empties the cache, once). */
	async confirmImport(): Promise<void> {
		const review = this.#review;
		if (!review || this.#importing) return;
		this.#importing = true;
		this.#error = null;
		try {
			const db = await this.#db;
			const report = await writeWithEviction(db, () => importBackup(db, review.backup));
			this.#review = null;
			this.#result = { fileName: review.fileName, report };
			await this.#onImported();
		} catch (error) {
			this.#error = `Could not import ${review.fileName}: ${errorMessage(error, { sentence: true })} Nothing was imported.`;
		} finally {
			this.#importing = false;
		}
	}

	cancelImport(): void {
		this.#review = null;
	}
}
