import type { DeckDb } from '$lib/storage/db';
import type { GridRecord } from '$lib/storage/grids';
import { downloadBlob } from '$lib/util/download';
import { errorMessage } from '$lib/util/error-message';
import type { GridCellView } from './grid-table';

/** Which export: the labelled picture, or the originals in a zip. */
export type GridExportKind = 'png' | 'zip';

/**
 * The grid page's export buttons: builds the file (its code, canvas drawing and fflate, is fetched on the first
 * click only), hands it to the browser's download, and says what it holds or why it failed.
 */
export class GridExportState {
	#busy = $state<GridExportKind | null>(null);
	#message = $state('');
	#error = $state('');
	#db: Promise<DeckDb>;
	#source: () => { grid: GridRecord | undefined; views: ReadonlyMap<string, GridCellView> };

	/** @param options.source the grid shown and its cells now. */
	constructor(options: {
		db: Promise<DeckDb>;
		source: () => { grid: GridRecord | undefined; views: ReadonlyMap<string, GridCellView> };
	}) {
		this.#db = options.db;
		this.#source = options.source;
	}

	/** The export being made, or null. */
	get busy(): GridExportKind | null {
		return this.#busy;
	}

	/** What the last export saved (`Saved grid-….png: 38 of 40 cells; 2 have no image.`). */
	get message(): string {
		return this.#message;
	}

	get error(): string {
		return this.#error;
	}

	/**
	 * Makes one export and downloads it.
	 * @param options.kind `png` (one picture, labels drawn in) or `zip` (the originals).
	 */
	async run({ kind }: { kind: GridExportKind }): Promise<void> {
		const { grid, views } = this.#source();
		if (!grid || this.#busy) return;
		this.#busy = kind;
		this.#message = '';
		this.#error = '';
		try {
			const [db, exports] = await Promise.all([this.#db, import('./grid-export')]);
			const made = await (kind === 'png' ? exports.exportGridPng : exports.exportGridZip)({
				db,
				grid,
				views
			});
			downloadBlob(made.blob, made.fileName);
			const total = made.count + made.missing;
			this.#message =
				`Saved ${made.fileName}: ${made.count} of ${total} cells` +
				(made.missing ? `; ${made.missing} ${made.missing === 1 ? 'has' : 'have'} no image yet.` : '.');
		} catch (error) {
			this.#error = `Could not export the grid: ${errorMessage(error)}. Nothing was lost; try again, or export the zip.`;
		} finally {
			this.#busy = null;
		}
	}
}
