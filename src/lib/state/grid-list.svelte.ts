import type { DeckDb } from '$lib/storage/db';
import { getGrid, gridOfJob, listGridJobs, listGrids, type GridRecord } from '$lib/storage/grids';
import type { StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import { cellView, pickCellRun, summarizeGrid, type GridRun, type GridSummary } from './grid-table';

/** A grid as the list shows it. */
export interface GridListItem {
	id: string;
	templateName: string;
	createdAt: number;
	/** `CFG (5) × Sampler (3)`. */
	shape: string;
	summary: GridSummary;
}

/** `CFG (5) × Sampler (3) × Prompt (2)`. */
export function gridShape(grid: GridRecord): string {
	return [grid.axes.x, grid.axes.y, grid.axes.z]
		.flatMap((a) => (a ? [`${a.title} (${a.values.length})`] : []))
		.join(' × ');
}

/** A grid's counts from its stored runs alone (what a list can tell without the live queue). */
export function storedSummary(grid: GridRecord, jobs: readonly StoredJob[]): GridSummary {
	const byKey = new Map<string, GridRun[]>();
	for (const job of jobs) {
		const key = job.metadata?.batchKey;
		if (typeof key === 'string') byKey.set(key, [...(byKey.get(key) ?? []), { ...job }]);
	}
	return summarizeGrid(
		Object.values(grid.cells).map((cell) => {
			const run = pickCellRun(byKey.get(cell.key) ?? [], cell.promptId);
			// Not run yet, as far as storage knows: counted as waiting, not as failed.
			return cellView({ cell, run, queue: run ? undefined : { status: 'waiting' } });
		})
	);
}

/** The Grids page: every grid kept in this browser, newest first, with how far each got. */
export class GridListState {
	#items = $state.raw<GridListItem[]>([]);
	#loaded = $state(false);
	#error = $state<string | null>(null);
	#db: Promise<DeckDb>;

	constructor(options: { db: Promise<DeckDb> }) {
		this.#db = options.db;
	}

	get items(): GridListItem[] {
		return this.#items;
	}

	get loaded(): boolean {
		return this.#loaded;
	}

	get error(): string | null {
		return this.#error;
	}

	/** Reads the grids and their runs again. */
	async load(): Promise<void> {
		try {
			const db = await this.#db;
			const grids = await listGrids({ db });
			this.#items = await Promise.all(
				grids.map(async (grid) => ({
					id: grid.id,
					templateName: grid.templateName,
					createdAt: grid.createdAt,
					shape: gridShape(grid),
					summary: storedSummary(grid, await listGridJobs({ db, gridId: grid.id }))
				}))
			);
			this.#error = null;
		} catch (error) {
			this.#error = `Could not read the grids: ${errorMessage(error)}`;
		} finally {
			this.#loaded = true;
		}
	}
}

/** The grid a run belongs to, for a link on the run's page. */
export class RunGridLink {
	#grid = $state.raw<{ id: string; name: string } | undefined>(undefined);
	#db: Promise<DeckDb>;
	#asked = '';

	constructor(options: { db: Promise<DeckDb> }) {
		this.#db = options.db;
	}

	/** The grid, once found; undefined for a run outside any grid. */
	get grid(): { id: string; name: string } | undefined {
		return this.#grid;
	}

	/**
	 * Looks for the grid of a run: by the group its job was tagged with, else by the runs grids recorded.
	 * @param options.jobId the run's prompt id.
	 * @param options.batch the run's `metadata.batch`, when it has one.
	 */
	async find({ jobId, batch }: { jobId: string; batch?: unknown }): Promise<void> {
		const asked = `${jobId} ${String(batch)}`;
		this.#asked = asked;
		try {
			const db = await this.#db;
			const grid =
				(typeof batch === 'string' ? await getGrid({ db, id: batch }) : undefined) ??
				(await gridOfJob({ db, jobId }));
			if (this.#asked === asked)
				this.#grid = grid && { id: grid.id, name: `${grid.templateName} · ${gridShape(grid)}` };
		} catch {
			// No link is the quiet answer when the database cannot say.
			if (this.#asked === asked) this.#grid = undefined;
		}
	}
}
