import type { DeckDb, StoredResultSaving } from '$lib/storage/db';
import {
	changeZipWaits,
	loadResultSaving,
	loadZipWaits,
	storeResultSaving
} from '$lib/storage/result-saving';
import { downloadBlob } from '$lib/util/download';
import { errorMessage } from '$lib/util/error-message';
import type { PermissionedFolder } from '$lib/util/folder-writer';

// Loaded on the first save or choice: the landing route's first load carries none of the saving work.
const loadWork = () => import('./result-saving-work');

/** `off`, a folder the user chose, or a download per file. */
export type SaveMode = StoredResultSaving['mode'];

/** Whether the page may write into the chosen folder now: after a reload Chromium asks again (`prompt`). */
export type FolderPermission = PermissionState | 'unknown';

type PickFolder = () => Promise<PermissionedFolder>;
type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

const LOCK = 'comfy-deck-result-saving';
const READWRITE = { mode: 'readwrite' } as const;

function browserPicker(): PickFolder | undefined {
	const picker = (globalThis as { showDirectoryPicker?: (options: object) => Promise<PermissionedFolder> })
		.showDirectoryPicker;
	// `id` makes the picker open where it was last time; `startIn` the Pictures folder on a first choice.
	return picker
		? () => picker.call(globalThis, { id: 'comfy-deck-results', mode: 'readwrite', startIn: 'pictures' })
		: undefined;
}

// Every tab of the app keeps every finished run; the Web Lock makes one of them save it, the other then finds it
// marked saved. Without Web Locks (old browsers) a chain in this tab keeps its own writes apart.
function browserExclusive(): Exclusive {
	let chain: Promise<unknown> = Promise.resolve();
	return (work) => {
		const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
		const run = locks ? () => locks.request(LOCK, work) : work;
		const next = chain.then(run, run);
		chain = next.catch(() => undefined);
		return next;
	};
}

/**
 * Saving every result outside the browser as it arrives, besides IndexedDB: into a folder chosen once (File
 * System Access API, Chromium; the handle is kept in IndexedDB and the permission asked again after a reload), or
 * as a download per file where browsers have no such API. A failure is written on the run and shown here; the
 * result stays in IndexedDB and is saved on the next try (`retryUnsaved`), after the user allowed or chose again.
 */
export class ResultSavingState {
	#mode = $state<SaveMode>('off');
	#folder = $state.raw<PermissionedFolder | undefined>(undefined);
	#permission = $state<FolderPermission>('unknown');
	#problem = $state<string | null>(null);
	#lastSaved = $state<string | null>(null);
	#savedCount = $state(0);
	#problems = $state<Record<string, string>>({});
	// Set by the user's first choice: a load finishing after it must not put the stored choice back.
	#chosen = false;

	#db: Promise<DeckDb | null>;
	#pick: PickFolder | undefined;
	#download: (blob: Blob, name: string) => void;
	#exclusive: Exclusive;
	// Batches and grids whose runs wait for one zip (download mode), as stored (`zipWaits`) so a reload mid-batch
	// still offers the zip. Not rendered: plain bookkeeping.
	#heldBatches = new Set<string>();
	#batchOpen: ((batchId: string) => boolean) | undefined;

	/**
	 * @param options.pickFolder the folder picker (default: `showDirectoryPicker`, absent outside Chromium).
	 * @param options.download saves one file as a download (default: an `<a download>` click).
	 * @param options.exclusive runs saves one at a time across tabs (default: a Web Lock).
	 */
	constructor(options: {
		db: Promise<DeckDb | null>;
		pickFolder?: PickFolder;
		download?: (blob: Blob, name: string) => void;
		exclusive?: Exclusive;
	}) {
		this.#db = options.db;
		this.#pick = options.pickFolder ?? browserPicker();
		this.#download = options.download ?? downloadBlob;
		this.#exclusive = options.exclusive ?? browserExclusive();
	}

	/** `off`, `folder` or `download`. */
	get mode(): SaveMode {
		return this.#mode;
	}

	/** True where the browser can write into a folder (Chromium on desktop); elsewhere only downloads are offered. */
	get folderSupported(): boolean {
		return this.#pick !== undefined;
	}

	/** The chosen folder's name (browsers tell no path). */
	get folderName(): string | undefined {
		return this.#folder?.name;
	}

	/** `granted`, `prompt` (needs the user's OK again: `allowAgain`), `denied`, or `unknown` before a check. */
	get permission(): FolderPermission {
		return this.#permission;
	}

	/** The last problem saving, in the user's words, until a save succeeds again. */
	get problem(): string | null {
		return this.#problem;
	}

	/** Why the files of a run could not be saved (in this tab), shown with its result; undefined when they were. */
	problemOf(jobId: string): string | undefined {
		return this.#problems[jobId];
	}

	/** The name of the last file saved (or downloaded) in this tab, and how many were. */
	get lastSaved(): string | null {
		return this.#lastSaved;
	}

	get savedCount(): number {
		return this.#savedCount;
	}

	/**
	 * Reads the stored choice and, for a folder, whether the page may still write there (without asking), and the
	 * batches whose zip was still to come when the page was last closed.
	 */
	async load(): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		const [stored, waits] = await Promise.all([loadResultSaving(db), loadZipWaits(db)]);
		for (const batchId of waits) this.#heldBatches.add(batchId);
		if (this.#chosen) return;
		this.#mode = stored.mode;
		this.#folder = stored.folder;
		await this.#checkPermission();
	}

	/** Turns saving off or on, or switches to downloads; a folder is chosen with `chooseFolder`. */
	async setMode(mode: SaveMode): Promise<void> {
		this.#chosen = true;
		this.#mode = mode;
		this.#problem = null;
		await this.#store();
	}

	/**
	 * Opens the browser's folder picker (must run in a click handler) and saves into the folder chosen from now on,
	 * then saves what a problem had held back. A cancelled picker changes nothing.
	 */
	async chooseFolder(): Promise<void> {
		if (!this.#pick) return;
		let folder: PermissionedFolder;
		try {
			folder = await this.#pick();
		} catch (error) {
			if (error instanceof DOMException && error.name === 'AbortError') return;
			this.#problem = `The folder could not be opened: ${errorMessage(error)}. Try another folder.`;
			return;
		}
		this.#chosen = true;
		this.#folder = folder;
		this.#mode = 'folder';
		this.#permission = 'granted';
		this.#problem = null;
		await this.#store();
		await this.retryUnsaved();
	}

	/** Asks the browser again for leave to write into the chosen folder (must run in a click handler). */
	async allowAgain(): Promise<void> {
		const folder = this.#folder;
		if (!folder) return;
		try {
			this.#permission = (await folder.requestPermission?.(READWRITE)) ?? 'granted';
		} catch (error) {
			const { describeFolderError } = await loadWork();
			this.#problem = describeFolderError({ error, folderName: folder.name }).message;
			return;
		}
		if (this.#permission === 'granted') {
			this.#problem = null;
			await this.retryUnsaved();
		}
	}

	/**
	 * Saves the files of a run just kept in IndexedDB that were not saved yet (every tab calls it; one saves).
	 * Never throws: a problem is written on the run and shown in Settings and beside the result.
	 */
	async saveRun(jobId: string): Promise<void> {
		const mode = this.#mode;
		if (mode === 'off') return;
		const db = await this.#db;
		if (!db) return;
		await this.#exclusive(async () => {
			const work = await loadWork();
			if (mode === 'folder') await this.#checkPermission();
			const outcome = await work.saveRunFiles({
				db,
				jobId,
				mode,
				folder: this.#folder,
				permitted: this.#permission === 'granted',
				download: this.#download,
				batchOpen: this.#batchOpen
			});
			const held = outcome.heldBatch;
			if (held && !this.#heldBatches.has(held)) {
				this.#heldBatches.add(held);
				await changeZipWaits(db, { add: held });
			}
			this.#saved(outcome.names);
			if (outcome.permissionLost) this.#permission = 'prompt';
			if (outcome.problem) this.#problems[jobId] = outcome.problem;
			else delete this.#problems[jobId];
			if (outcome.problem || outcome.names.length) this.#problem = outcome.problem ?? null;
		}).catch((error: unknown) => {
			this.#problem = `Could not save the results of a run: ${errorMessage(error)}`;
		});
	}

	/**
	 * How to tell a batch or grid still has runs to come (the browser queue knows). From then on, in download mode,
	 * the runs of a batch come as one zip when it ends instead of a download each.
	 */
	watchBatches(open: (batchId: string) => boolean): void {
		this.#batchOpen = open;
	}

	/** Downloads the zip of each batch held back that has ended; called whenever the browser queue changes. */
	async flushBatches(): Promise<void> {
		const open = this.#batchOpen;
		if (this.#mode !== 'download' || !open || !this.#heldBatches.size) return;
		const db = await this.#db;
		if (!db) return;
		for (const batchId of [...this.#heldBatches]) {
			if (open(batchId)) continue;
			this.#heldBatches.delete(batchId);
			await this.#exclusive(async () => {
				const work = await loadWork();
				const name = await work.zipBatchFiles({ db, batchId, download: this.#download });
				this.#saved(name ? [name] : []);
				// Kept until its zip was made: a zip that failed is tried again after a reload.
				await changeZipWaits(db, { remove: batchId });
			}).catch((error: unknown) => {
				this.#problem = `Could not zip the results of a batch: ${errorMessage(error)}`;
			});
		}
	}

	/** Saves the runs a problem held back (the newest 500 runs), e.g. after the folder was allowed again. */
	async retryUnsaved(): Promise<void> {
		const db = await this.#db;
		if (!db || this.#mode === 'off') return;
		const work = await loadWork();
		for (const jobId of await work.runsHeldBack(db)) await this.saveRun(jobId);
	}

	#saved(names: string[]) {
		const last = names.at(-1);
		if (!last) return;
		this.#lastSaved = last;
		this.#savedCount += names.length;
	}

	async #checkPermission(): Promise<void> {
		const folder = this.#folder;
		if (!folder) {
			this.#permission = 'unknown';
			return;
		}
		try {
			this.#permission = (await folder.queryPermission?.(READWRITE)) ?? 'granted';
		} catch {
			this.#permission = 'prompt';
		}
	}

	async #store(): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		const folder = this.#folder as FileSystemDirectoryHandle | undefined;
		await storeResultSaving(db, { mode: this.#mode, ...(folder ? { folder } : {}) });
	}
}
