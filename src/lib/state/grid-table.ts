/**
 * What a grid's table shows, from its stored record, the runs found for its cells and the browser queue's word
 * on cells not yet sent: plain functions (no runes), tested in Node.
 */
import type { JobRecord, JobStatus } from '$lib/comfy';
import { progressFraction } from '$lib/comfy/job-progress';
import type { QueueItemStatus } from '$lib/comfy/batch';
import type { GridCellRecord, GridRecord } from '$lib/storage/grids';

/** A run as the grid needs it (a stored job or a live one). */
export type GridRun = Pick<JobRecord, 'id' | 'status' | 'progress' | 'error' | 'metadata' | 'timings'> & {
	serverId: string;
	/** Hash of its first kept image (thumbnail in the `images` store). */
	imageHash?: string;
};

/** Where the browser queue has a cell's item. */
export interface GridQueueInfo {
	status: QueueItemStatus;
	/** Why it waits, in words ("waiting: Studio box has 12 queued, threshold 8"). */
	reason?: string;
	promptId?: string;
	serverId?: string;
}

/** `done` has its image; `failed` ended without; `waiting` is in the browser; `queued`/`running` on a server. */
export type GridCellState = 'waiting' | 'paused' | 'queued' | 'running' | 'done' | 'failed' | 'unknown';

export interface GridCellView {
	key: string;
	label?: string;
	state: GridCellState;
	/** The run to open, once there is one. */
	jobId?: string;
	serverId?: string;
	imageHash?: string;
	/** 0 to 1 while running. */
	progress?: number;
	/** A sentence for the cell: why it waits, or why it failed. */
	detail?: string;
}

/** One table of the grid (one per Z value): X across, Y down; a table cell lists its repeats. */
export interface GridTable {
	/** `Prompt: fox` for a Z value; undefined without Z. */
	title?: string;
	z: number;
	rows: { label: string; cells: GridCellView[][] }[];
}

export interface GridSummary {
	total: number;
	done: number;
	failed: number;
	running: number;
	/** Cells with no run that the browser queue no longer has: nothing will run them. */
	notRun: number;
	/** Every cell has ended (done, failed or never to run). */
	complete: boolean;
}

const RANK: Record<JobStatus, number> = {
	succeeded: 6,
	running: 5,
	queued: 4,
	pending: 3,
	failed: 2,
	interrupted: 1,
	lost: 0
};

/**
 * The run to show for a cell among all its runs (a resent cell has several): the one the queue names, else a
 * success, else one still going, else the newest that ended badly.
 */
export function pickCellRun(runs: readonly GridRun[], current?: string): GridRun | undefined {
	const named = current ? runs.find((r) => r.id === current) : undefined;
	if (named) return named;
	let best: GridRun | undefined;
	for (const run of runs) {
		if (
			!best ||
			RANK[run.status] > RANK[best.status] ||
			(RANK[run.status] === RANK[best.status] && run.timings.created > best.timings.created)
		)
			best = run;
	}
	return best;
}

function errorText(run: GridRun): string | undefined {
	return run.error ? run.error.message || run.status : undefined;
}

/** One cell's view from its run (if any) and its queue item (if the queue still has it). */
export function cellView({
	cell,
	run,
	queue
}: {
	cell: GridCellRecord;
	run?: GridRun;
	queue?: GridQueueInfo;
}): GridCellView {
	const base = { key: cell.key, ...(cell.label ? { label: cell.label } : {}) };
	const ran = run
		? { jobId: run.id, serverId: run.serverId, ...(run.imageHash ? { imageHash: run.imageHash } : {}) }
		: {};
	// Back in the browser queue after a lost run: it waits again, whatever its last run said.
	if (queue && (queue.status === 'waiting' || queue.status === 'paused') && run?.status !== 'succeeded')
		return {
			...base,
			state: queue.status,
			detail: queue.reason ?? (queue.status === 'paused' ? 'Paused.' : 'Waiting in this browser.')
		};
	if (!run) {
		if (queue?.status === 'failed') return { ...base, state: 'failed', detail: queue.reason };
		if (queue) return { ...base, state: 'queued', detail: queue.reason ?? 'Sent to a server.' };
		return { ...base, state: 'unknown', detail: 'Not sent, and no longer in the queue.' };
	}
	switch (run.status) {
		case 'succeeded':
			return { ...base, ...ran, state: 'done' };
		case 'running':
			return { ...base, ...ran, state: 'running', progress: progressFraction(run) };
		case 'pending':
		case 'queued':
			return { ...base, ...ran, state: 'queued', detail: queue?.reason ?? 'Queued on the server.' };
		default:
			return { ...base, ...ran, state: 'failed', detail: errorText(run) ?? `Ended: ${run.status}.` };
	}
}

/** The grid's tables (one per Z value), each X across and Y down, every cell in place. */
export function gridTables({
	grid,
	views
}: {
	grid: GridRecord;
	views: ReadonlyMap<string, GridCellView>;
}): GridTable[] {
	const size = (name: 'x' | 'y' | 'z') => grid.axes[name]?.values.length ?? 1;
	const tables: GridTable[] = [];
	for (let z = 0; z < size('z'); z++) {
		const rows: GridTable['rows'] = [];
		for (let y = 0; y < size('y'); y++)
			rows.push({
				label: grid.axes.y?.values[y] ?? '',
				cells: Array.from({ length: size('x') }, () => [] as GridCellView[])
			});
		const zValue = grid.axes.z?.values[z];
		tables.push({ z, rows, ...(grid.axes.z ? { title: `${grid.axes.z.title}: ${zValue}` } : {}) });
	}
	for (const cell of Object.values(grid.cells)) {
		const view = views.get(cell.key);
		const slot = tables[cell.coords.z]?.rows[cell.coords.y]?.cells[cell.coords.x];
		if (view && slot) slot.push(view);
	}
	return tables;
}

/** Counts for the grid's header. */
export function summarizeGrid(views: Iterable<GridCellView>): GridSummary {
	const s = { total: 0, done: 0, failed: 0, running: 0, notRun: 0 };
	for (const v of views) {
		s.total++;
		if (v.state === 'done') s.done++;
		else if (v.state === 'failed') s.failed++;
		else if (v.state === 'unknown') s.notRun++;
		else if (v.state === 'running') s.running++;
	}
	return { ...s, complete: s.total > 0 && s.done + s.failed + s.notRun === s.total };
}

/** The header line: `Ended: 4 of 6 done · 1 failed · 1 not run` (`Complete:` once every cell has its image). */
export function describeSummary(summary: GridSummary): string {
	const counts = [
		`${summary.done} of ${summary.total} done`,
		...(summary.running ? [`${summary.running} running`] : []),
		...(summary.failed ? [`${summary.failed} failed`] : []),
		...(summary.notRun ? [`${summary.notRun} not run`] : [])
	].join(' · ');
	if (!summary.complete) return counts;
	return `${summary.done === summary.total ? 'Complete' : 'Ended'}: ${counts}`;
}
