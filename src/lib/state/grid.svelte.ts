import type { JobRecord } from '$lib/comfy';
import type { QueueEntry } from '$lib/comfy/batch';
import type { DeckDb } from '$lib/storage/db';
import {
	getGrid,
	listGridJobs,
	updateGridCells,
	type GridCellRun,
	type GridRecord
} from '$lib/storage/grids';
import { getImages } from '$lib/storage/images';
import type { StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import {
	cellView,
	gridTables,
	pickCellRun,
	summarizeGrid,
	type GridCellView,
	type GridRun,
	type GridSummary,
	type GridTable
} from './grid-table';

/** What the grid asks of the browser queue (the app's dispatch state): where each item is, and why it waits. */
export interface GridQueueSource {
	entryOf(itemId: string): Pick<QueueEntry, 'status' | 'promptId' | 'serverId'> | undefined;
	readonly reasons: ReadonlyMap<string, string>;
}

/** The live jobs of this tab (the app's `JobsState`). */
export interface GridLiveJobs {
	readonly byId: Record<string, JobRecord & { serverId: string }>;
}

function runOf(job: StoredJob): GridRun {
	return {
		id: job.id,
		status: job.status,
		progress: job.progress,
		error: job.error,
		metadata: job.metadata,
		timings: job.timings,
		serverId: job.serverId,
		...(job.app.images?.[0]?.hash ? { imageHash: job.app.images[0].hash } : {})
	};
}

/**
 * One grid's page: its stored record, the runs of its cells (kept ones from IndexedDB, live ones from this tab's
 * trackers, waiting ones from the browser queue) and their thumbnails. Works from IndexedDB alone: a finished
 * grid needs no server.
 */
export class GridState {
	#grid = $state.raw<GridRecord | undefined>(undefined);
	#stored = $state.raw<ReadonlyMap<string, GridRun[]>>(new Map());
	#thumbnails = $state.raw<Record<string, string>>({});
	#loaded = $state(false);
	#error = $state<string | null>(null);
	#id = $state('');

	#db: Promise<DeckDb>;
	#jobs: GridLiveJobs;
	#queue: () => GridQueueSource | undefined;
	#loading: Promise<void> | undefined;
	#again = false;
	#disposed = false;

	/** @param options.queue the browser queue, when the app has one running (waiting cells say why). */
	constructor(options: {
		db: Promise<DeckDb>;
		jobs: GridLiveJobs;
		queue?: () => GridQueueSource | undefined;
	}) {
		this.#db = options.db;
		this.#jobs = options.jobs;
		this.#queue = options.queue ?? (() => undefined);
	}

	/**
	 * Shows a grid (another one than before: what was shown is dropped first).
	 * @param id the grid's id (the queue items' `group.id`).
	 */
	open(id: string): Promise<void> {
		if (id !== this.#id) {
			this.#revokeThumbnails();
			this.#grid = undefined;
			this.#stored = new Map();
			this.#loaded = false;
			this.#error = null;
			this.#id = id;
		}
		return this.load();
	}

	get id(): string {
		return this.#id;
	}

	/** The stored grid; undefined before it is read or when there is none. */
	get grid(): GridRecord | undefined {
		return this.#grid;
	}

	/** True once the first read finished (then `grid` undefined means there is no such grid). */
	get loaded(): boolean {
		return this.#loaded;
	}

	/** What went wrong reading it, in words. */
	get error(): string | null {
		return this.#error;
	}

	readonly #views = $derived.by(() => {
		const grid = this.#grid;
		const views = new Map<string, GridCellView>();
		if (!grid) return views;
		const queue = this.#queue();
		const live = new Map<string, GridRun[]>();
		for (const job of Object.values(this.#jobs.byId)) {
			const key = job.metadata?.batch === this.#id ? job.metadata.batchKey : undefined;
			if (typeof key === 'string') live.set(key, [...(live.get(key) ?? []), job]);
		}
		for (const cell of Object.values(grid.cells)) {
			const runs = new Map<string, GridRun>();
			for (const run of this.#stored.get(cell.key) ?? []) runs.set(run.id, run);
			// The live record is newer; the stored one knows the kept image.
			for (const run of live.get(cell.key) ?? [])
				runs.set(run.id, { ...run, imageHash: runs.get(run.id)?.imageHash });
			const entry = queue?.entryOf(cell.itemId);
			const run = pickCellRun([...runs.values()], entry?.promptId ?? cell.promptId);
			const reason = queue?.reasons.get(cell.itemId);
			views.set(
				cell.key,
				cellView({
					cell,
					run,
					queue: entry && { status: entry.status, ...(reason ? { reason } : {}) }
				})
			);
		}
		return views;
	});

	readonly #tables = $derived(this.#grid ? gridTables({ grid: this.#grid, views: this.#views }) : []);
	readonly #summary = $derived(summarizeGrid(this.#views.values()));

	/** One table per Z value (one without Z), X across and Y down. */
	get tables(): GridTable[] {
		return this.#tables;
	}

	/** Counts for the header: done, failed, running, out of the total. */
	get summary(): GridSummary {
		return this.#summary;
	}

	/** Every cell by key. */
	get views(): ReadonlyMap<string, GridCellView> {
		return this.#views;
	}

	/** The object URL of a kept image's thumbnail, once read. */
	thumbnailOf(hash: string | undefined): string | undefined {
		return hash ? this.#thumbnails[hash] : undefined;
	}

	/** Reads the grid and its runs again (a job finished, was kept, or another tab changed history). */
	load(): Promise<void> {
		if (this.#loading) {
			this.#again = true;
			return this.#loading;
		}
		this.#loading = this.#read().finally(() => {
			this.#loading = undefined;
			if (this.#again && !this.#disposed) {
				this.#again = false;
				void this.load();
			}
		});
		return this.#loading;
	}

	async #read(): Promise<void> {
		const id = this.#id;
		if (!id) return;
		try {
			const db = await this.#db;
			const [grid, jobs] = await Promise.all([getGrid({ db, id }), listGridJobs({ db, gridId: id })]);
			// Disposed, or another grid opened meanwhile: this answer is for nobody.
			if (this.#disposed || id !== this.#id) return;
			const stored = new Map<string, GridRun[]>();
			for (const job of jobs) {
				const key = job.metadata?.batchKey;
				if (typeof key === 'string') stored.set(key, [...(stored.get(key) ?? []), runOf(job)]);
			}
			this.#grid = grid;
			this.#stored = stored;
			this.#error = null;
			if (grid) {
				await this.#rememberRuns(db, grid, stored);
				await this.#loadThumbnails(db);
			}
		} catch (error) {
			this.#error = `Could not read this grid: ${errorMessage(error)}`;
		} finally {
			if (id === this.#id) this.#loaded = true;
		}
	}

	// The record keeps each cell's run, so a run's page finds its grid through the record's index.
	async #rememberRuns(db: DeckDb, grid: GridRecord, stored: ReadonlyMap<string, GridRun[]>) {
		const runs: GridCellRun[] = [];
		for (const cell of Object.values(grid.cells)) {
			const run = pickCellRun(stored.get(cell.key) ?? [], cell.promptId);
			if (run && run.id !== cell.promptId)
				runs.push({ key: cell.key, promptId: run.id, serverId: run.serverId });
		}
		if (!runs.length) return;
		const updated = await updateGridCells({ db, gridId: grid.id, runs });
		if (updated && !this.#disposed) this.#grid = updated;
	}

	async #loadThumbnails(db: DeckDb) {
		const wanted = new Set<string>();
		for (const runs of this.#stored.values()) for (const r of runs) if (r.imageHash) wanted.add(r.imageHash);
		const missing = [...wanted].filter((hash) => !this.#thumbnails[hash]);
		if (!missing.length) return;
		const images = await getImages(db, missing);
		if (this.#disposed) return;
		const next = { ...this.#thumbnails };
		missing.forEach((hash, i) => {
			const image = images[i];
			// A still or animated image shows itself when it has no thumbnail; other kinds only their frame.
			const still = !image?.kind || image.kind === 'image' || image.kind === 'animated';
			const blob = image?.thumbnail ?? (still ? image?.blob : undefined);
			if (blob) next[hash] = URL.createObjectURL(blob);
		});
		this.#thumbnails = next;
	}

	#revokeThumbnails() {
		for (const url of Object.values(this.#thumbnails)) URL.revokeObjectURL(url);
		this.#thumbnails = {};
	}

	/** Frees the thumbnails' object URLs (the page closed). */
	dispose(): void {
		this.#disposed = true;
		this.#revokeThumbnails();
	}
}
