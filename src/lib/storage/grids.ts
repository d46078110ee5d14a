/**
 * The `grids` store: an X/Y(/Z) grid as the user started it (axes with their value labels, one cell per queue
 * item), so the grid view reopens after a reload from IndexedDB alone. A cell learns its run (prompt id, server)
 * once the dispatcher has released it; the run's images live with the job record. Every record read is checked: a
 * broken one is reported and skipped, never shown half-trusted.
 */
import * as z from 'zod/mini';
import { describeItem, type Expansion } from '$lib/comfy/batch';
import { safeParse } from '$lib/comfy/parse';
import type { ParameterDef } from '$lib/comfy/workflow';
import type { DeckDb } from './db';
import { readJobs, type StoredJob } from './jobs';
import { reportUnreadable } from './unreadable';

const zIndex = z.int().check(z.nonnegative());

const zAxis = z.object({
	parameterId: z.string(),
	/** The parameter's label: the axis title. */
	title: z.string(),
	/** The value labels, in axis order. */
	values: z.array(z.string())
});
export type GridAxisRecord = z.infer<typeof zAxis>;

const zCoords = z.object({ z: zIndex, y: zIndex, x: zIndex, row: zIndex, repeat: zIndex });
export type GridCoords = z.infer<typeof zCoords>;

const zCell = z.looseObject({
	/** Its key in the expansion (`z0-y1-x2-r0-n0`), also the queue entry's `group.key`. */
	key: z.string(),
	/** The browser queue entry that runs it. */
	itemId: z.string(),
	coords: zCoords,
	/** What this cell sets itself (`CFG 5.5 · Seed 101`). */
	label: z.optional(z.string()),
	/** The job (prompt id) and server, once released; a resend replaces them. */
	promptId: z.optional(z.string()),
	serverId: z.optional(z.string())
});
export type GridCellRecord = z.infer<typeof zCell>;

const zGrid = z.looseObject({
	/** Equal to the queue items' `group.id`. */
	id: z.string().check(z.minLength(1)),
	templateId: z.string(),
	templateName: z.string(),
	createdAt: z.number(),
	axes: z.object({ x: zAxis, y: z.optional(zAxis), z: z.optional(zAxis) }),
	/** Cell key → cell, in queue order. */
	cells: z.record(z.string(), zCell)
});
export type GridRecord = z.infer<typeof zGrid>;

/** A grid as stored: the record and the job ids of its cells (indexed, so a run finds its grid). */
export type StoredGrid = GridRecord & { jobIds: string[] };

/** What reading one record gave: the grid, or why it could not be read. */
export type ReadGrid = { ok: true; grid: GridRecord } | { ok: false; key: string; problem: string };

/** Checks one record read from the `grids` store (cells whose coordinates fall outside the axes are refused too). */
export function readGridRecord(value: unknown): ReadGrid {
	const key = isObject(value) && typeof value.id === 'string' ? value.id : '(no id)';
	const parsed = safeParse(zGrid, value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue?.path.map(String).join('.') || 'the record';
		return { ok: false, key, problem: `${where}: ${issue?.message ?? 'not a grid record'}` };
	}
	const grid = parsed.data;
	for (const [cellKey, cell] of Object.entries(grid.cells)) {
		for (const name of ['x', 'y', 'z'] as const) {
			const size = grid.axes[name]?.values.length ?? 1;
			if (cell.coords[name] >= size)
				return {
					ok: false,
					key,
					problem: `cells.${cellKey}.coords.${name}: ${cell.coords[name]} is outside the ${name.toUpperCase()} axis (${size} values)`
				};
		}
	}
	// The stored-only field is not part of the record views get.
	const { jobIds: _jobIds, ...record } = grid as GridRecord & { jobIds?: unknown };
	return { ok: true, grid: record };
}

function readGrid(db: DeckDb, value: unknown): GridRecord | undefined {
	if (value === undefined) return undefined;
	const read = readGridRecord(value);
	if (read.ok) return read.grid;
	reportUnreadable(db, { store: 'grids', key: read.key, problem: read.problem });
	return undefined;
}

function toStored(grid: GridRecord): StoredGrid {
	const jobIds = [...new Set(Object.values(grid.cells).flatMap((c) => (c.promptId ? [c.promptId] : [])))];
	return { ...structuredClone(grid), jobIds };
}

/**
 * The record of a grid about to be queued, from `expandBatch`'s output and the ids its queue items got.
 * @param options.id the grid's id: the queue items' `group.id`.
 * @param options.template the template it runs (id and name are kept for the title and links).
 * @param options.expansion what `expandBatch` gave (it must have an X axis).
 * @param options.itemIds the queue item id of each `expansion.items[i]`, in the same order.
 * @param options.parameters the template's parameters, to label each cell (`describeItem`); none, no labels.
 * @param options.now the creation time (default: now).
 */
export function gridRecordFromExpansion({
	id,
	template,
	expansion,
	itemIds,
	parameters,
	now = Date.now()
}: {
	id: string;
	template: { id: string; name: string };
	expansion: Pick<Expansion, 'items' | 'axes'>;
	itemIds: readonly string[];
	parameters?: ParameterDef[];
	now?: number;
}): GridRecord {
	const { x, y, z: zAxisResolved } = expansion.axes;
	if (!x) throw new RangeError('A grid needs an X axis.');
	if (itemIds.length !== expansion.items.length)
		throw new RangeError(`${itemIds.length} item ids for ${expansion.items.length} grid items.`);
	const axis = (a: NonNullable<typeof x>): GridAxisRecord => ({
		parameterId: a.parameterId,
		title: a.title,
		values: a.entries.map((e) => e.label)
	});
	const cells: Record<string, GridCellRecord> = {};
	expansion.items.forEach((item, i) => {
		const label = parameters ? describeItem({ item, parameters }) : '';
		cells[item.key] = {
			key: item.key,
			itemId: itemIds[i]!,
			coords: { ...item.coords },
			...(label ? { label } : {})
		};
	});
	return {
		id,
		templateId: template.id,
		templateName: template.name,
		createdAt: now,
		axes: { x: axis(x), ...(y ? { y: axis(y) } : {}), ...(zAxisResolved ? { z: axis(zAxisResolved) } : {}) },
		cells
	};
}

/**
 * Stores a grid whole (a new one, or one replaced).
 * @param options.db the open database.
 * @param options.grid the record.
 */
export async function saveGrid({ db, grid }: { db: DeckDb; grid: GridRecord }): Promise<void> {
	await db.put('grids', toStored(grid));
}

/**
 * One grid; undefined when there is none or it cannot be read (reported).
 * @param options.db the open database.
 * @param options.id the grid's id.
 */
export async function getGrid({ db, id }: { db: DeckDb; id: string }): Promise<GridRecord | undefined> {
	return readGrid(db, await db.get('grids', id));
}

/**
 * Every grid, newest first; unreadable ones are reported and left out.
 * @param options.db the open database.
 */
export async function listGrids({ db }: { db: DeckDb }): Promise<GridRecord[]> {
	const values = await db.getAllFromIndex('grids', 'byCreatedAt');
	return values.reverse().flatMap((v) => readGrid(db, v) ?? []);
}

/**
 * The grid a run belongs to, if any (the run's page links to it).
 * @param options.db the open database.
 * @param options.jobId the run's prompt id.
 */
export async function gridOfJob({
	db,
	jobId
}: {
	db: DeckDb;
	jobId: string;
}): Promise<GridRecord | undefined> {
	return readGrid(db, await db.getFromIndex('grids', 'byJob', jobId));
}

/**
 * Every run of a grid, resent ones included, in no particular order: each job the dispatcher submitted carries
 * its group in `metadata` (`batch` = grid id, `batchKey` = cell key).
 * @param options.db the open database.
 * @param options.gridId the grid's id.
 */
export async function listGridJobs({ db, gridId }: { db: DeckDb; gridId: string }): Promise<StoredJob[]> {
	return readJobs(db, await db.getAllFromIndex('jobs', 'byBatch', gridId));
}

/** Where a cell's run is now. */
export interface GridCellRun {
	/** The cell's key (`z0-y1-x2-r0-n0`). */
	key: string;
	promptId: string;
	serverId: string;
}

/**
 * Records where cells run (the dispatcher released or resent them), in one transaction; returns the grid as
 * stored, or undefined when there is no such grid. Keys the grid does not have are ignored.
 * @param options.db the open database.
 * @param options.gridId the grid's id.
 * @param options.runs one per cell that (re)started.
 */
export async function updateGridCells({
	db,
	gridId,
	runs
}: {
	db: DeckDb;
	gridId: string;
	runs: readonly GridCellRun[];
}): Promise<GridRecord | undefined> {
	const tx = db.transaction('grids', 'readwrite');
	const grid = readGrid(db, await tx.store.get(gridId));
	if (!grid) {
		await tx.done;
		return undefined;
	}
	let changed = false;
	for (const run of runs) {
		const cell = grid.cells[run.key];
		if (!cell || (cell.promptId === run.promptId && cell.serverId === run.serverId)) continue;
		grid.cells[run.key] = { ...cell, promptId: run.promptId, serverId: run.serverId };
		changed = true;
	}
	if (changed) await tx.store.put(toStored(grid));
	await tx.done;
	return grid;
}

/**
 * Deletes a grid record (its runs stay in History).
 * @param options.db the open database.
 * @param options.id the grid's id.
 */
export async function deleteGrid({ db, id }: { db: DeckDb; id: string }): Promise<void> {
	await db.delete('grids', id);
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
