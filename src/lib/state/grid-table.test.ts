import { describe, expect, it } from 'vitest';
import type { GridCellRecord, GridRecord } from '$lib/storage/grids';
import {
	cellView,
	gridTables,
	pickCellRun,
	describeSummary,
	summarizeGrid,
	type GridCellView,
	type GridRun
} from './grid-table';

const run = (
	id: string,
	status: GridRun['status'],
	created: number,
	over: Partial<GridRun> = {}
): GridRun => ({
	id,
	status,
	serverId: 'studio',
	timings: { created },
	...over
});

const cell = (key: string, x = 0, y = 0, z = 0, repeat = 0): GridCellRecord => ({
	key,
	itemId: `item-${key}`,
	coords: { x, y, z, row: 0, repeat },
	label: `cell ${key}`
});

describe('pickCellRun', () => {
	it('shows the success of a resent cell, not the newer lost attempt or an older failure', () => {
		const runs = [run('lost', 'lost', 1), run('ok', 'succeeded', 2), run('later', 'failed', 3)];
		expect(pickCellRun(runs)?.id).toBe('ok');
	});

	it('prefers a run still going over one that failed, and the run the queue names over all', () => {
		expect(pickCellRun([run('a', 'failed', 5), run('b', 'queued', 1)])?.id).toBe('b');
		expect(pickCellRun([run('a', 'succeeded', 5), run('b', 'queued', 1)], 'b')?.id).toBe('b');
		expect(pickCellRun([])).toBeUndefined();
	});
});

describe('cellView', () => {
	it('says why a cell waits in the browser, even after its first run was lost', () => {
		expect(
			cellView({
				cell: cell('a'),
				run: run('p1', 'lost', 1),
				queue: { status: 'waiting', reason: 'waiting: Studio box has 12 queued, threshold 8' }
			})
		).toEqual({
			key: 'a',
			label: 'cell a',
			state: 'waiting',
			detail: 'waiting: Studio box has 12 queued, threshold 8'
		});
		expect(cellView({ cell: cell('a'), queue: { status: 'paused' } })).toMatchObject({
			state: 'paused',
			detail: 'Paused.'
		});
	});

	it('shows a running cell with its progress and a finished one with its image and run', () => {
		const running = run('p2', 'running', 1, {
			progress: { nodesDone: 1, nodesTotal: 2, value: 5, max: 10 } as GridRun['progress']
		});
		expect(cellView({ cell: cell('a'), run: running })).toMatchObject({
			state: 'running',
			jobId: 'p2',
			progress: 0.75
		});
		expect(cellView({ cell: cell('a'), run: run('p3', 'succeeded', 1, { imageHash: 'h3' }) })).toEqual({
			key: 'a',
			label: 'cell a',
			state: 'done',
			jobId: 'p3',
			serverId: 'studio',
			imageHash: 'h3'
		});
	});

	it('says why a cell failed, and that a cell never sent and gone from the queue did not run', () => {
		const failed = run('p4', 'failed', 1, { error: { kind: 'execution', message: 'CUDA out of memory' } });
		expect(cellView({ cell: cell('a'), run: failed })).toMatchObject({
			state: 'failed',
			detail: 'CUDA out of memory'
		});
		expect(cellView({ cell: cell('a') })).toMatchObject({ state: 'unknown' });
	});
});

describe('gridTables', () => {
	it('makes one table per Z value, X across and Y down, with repeats side by side in their cell', () => {
		const grid: GridRecord = {
			id: 'g',
			templateId: 't',
			templateName: 'T',
			createdAt: 1,
			axes: {
				x: { parameterId: 'cfg', title: 'CFG', values: ['5', '6'] },
				y: { parameterId: 'steps', title: 'Steps', values: ['10'] },
				z: { parameterId: 'prompt', title: 'Prompt', values: ['cat', 'fox'] }
			},
			cells: Object.fromEntries(
				[cell('a', 0, 0, 0), cell('b', 1, 0, 0), cell('c', 1, 0, 0, 1), cell('d', 0, 0, 1)].map((c) => [
					c.key,
					c
				])
			)
		};
		const views = new Map<string, GridCellView>(
			Object.values(grid.cells).map((c) => [c.key, cellView({ cell: c })])
		);
		const tables = gridTables({ grid, views });
		expect(tables.map((t) => t.title)).toEqual(['Prompt: cat', 'Prompt: fox']);
		expect(tables[0]!.rows.map((r) => r.label)).toEqual(['10']);
		expect(tables[0]!.rows[0]!.cells.map((list) => list.map((v) => v.key))).toEqual([['a'], ['b', 'c']]);
		expect(tables[1]!.rows[0]!.cells.map((list) => list.map((v) => v.key))).toEqual([['d'], []]);
	});
});

describe('summarizeGrid', () => {
	it('is complete only when every cell ended, and counts cells never run apart from failures', () => {
		const v = (state: GridCellView['state']): GridCellView => ({ key: state, state });
		expect(summarizeGrid([v('done'), v('running'), v('failed'), v('unknown')])).toEqual({
			total: 4,
			done: 1,
			failed: 1,
			running: 1,
			notRun: 1,
			complete: false
		});
		expect(summarizeGrid([v('done'), v('failed'), v('unknown')]).complete).toBe(true);
		expect(summarizeGrid([v('done'), v('waiting')]).complete).toBe(false);
		expect(summarizeGrid([]).complete).toBe(false);
	});

	it('reads as a line that says whether the grid ended, and how', () => {
		const v = (state: GridCellView['state']): GridCellView => ({ key: state, state });
		expect(describeSummary(summarizeGrid([v('done'), v('running'), v('waiting')]))).toBe(
			'1 of 3 done · 1 running'
		);
		expect(describeSummary(summarizeGrid([v('done'), v('failed'), v('unknown')]))).toBe(
			'Ended: 1 of 3 done · 1 failed · 1 not run'
		);
		expect(describeSummary(summarizeGrid([v('done'), v('done')]))).toBe('Complete: 2 of 2 done');
	});
});
