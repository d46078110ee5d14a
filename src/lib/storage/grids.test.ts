import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { expandBatch } from '$lib/comfy/batch';
import { PARAMETERS } from '$lib/comfy/batch/testing/parameters';
import { openDeckDb } from './db';
import {
	deleteGrid,
	getGrid,
	gridOfJob,
	gridRecordFromExpansion,
	listGridJobs,
	listGrids,
	readGridRecord,
	saveGrid,
	updateGridCells,
	type GridRecord
} from './grids';
import { putJob } from './jobs';
import { jobRecord, putRawRecord } from './testing/records';
import type { UnreadableRecord } from './unreadable';

let n = 0;
const open = (onUnreadable?: (r: UnreadableRecord) => void) =>
	openDeckDb({ name: `grids-test-${n++}-${Math.random()}`, onUnreadable });

const form = { prompt: 'a cat on a red sofa', seed: 100, steps: 20, cfg: 7, sampler: 'euler', width: 512 };
const template = { id: 'sdxl', name: 'SDXL portrait' };

function expansion() {
	const r = expandBatch({
		parameters: PARAMETERS,
		values: form,
		axes: {
			x: { kind: 'range', parameterId: 'cfg', start: 5, end: 6, step: 0.5 },
			y: { kind: 'choices', parameterId: 'sampler', choices: ['euler', 'dpmpp_2m'] }
		}
	});
	if (!r.ok) throw new Error(JSON.stringify(r.issues));
	return r;
}

function grid(id = 'g1', now = 1_000): GridRecord {
	const e = expansion();
	return gridRecordFromExpansion({
		id,
		template,
		expansion: e,
		itemIds: e.items.map((item) => `${id}-item-${item.index}`),
		parameters: PARAMETERS,
		now
	});
}

describe('gridRecordFromExpansion', () => {
	it('keeps the axis titles and value labels in order, and one labelled cell per item', () => {
		const g = grid();
		expect(g.axes.x).toEqual({ parameterId: 'cfg', title: 'CFG', values: ['5', '5.5', '6'] });
		expect(g.axes.y).toEqual({ parameterId: 'sampler', title: 'Sampler', values: ['euler', 'dpmpp_2m'] });
		expect(g.axes.z).toBeUndefined();
		expect(Object.keys(g.cells)).toHaveLength(6);
		expect(g.cells['z0-y1-x2-r0-n0']).toEqual({
			key: 'z0-y1-x2-r0-n0',
			itemId: 'g1-item-5',
			coords: { z: 0, y: 1, x: 2, row: 0, repeat: 0 },
			label: 'CFG 6 · Sampler dpmpp_2m'
		});
		expect(g).toMatchObject({ templateId: 'sdxl', templateName: 'SDXL portrait', createdAt: 1_000 });
	});

	it('refuses a batch without an X axis and ids that do not match the items', () => {
		const e = expansion();
		expect(() =>
			gridRecordFromExpansion({ id: 'g', template, expansion: { ...e, axes: {} }, itemIds: [] })
		).toThrow(/X axis/);
		expect(() => gridRecordFromExpansion({ id: 'g', template, expansion: e, itemIds: ['a'] })).toThrow(
			/1 item ids for 6/
		);
	});
});

describe('grids store', () => {
	it('reads back a saved grid, lists grids newest first and deletes one', async () => {
		const db = await open();
		await saveGrid({ db, grid: grid('old', 1) });
		await saveGrid({ db, grid: grid('new', 2) });
		expect(await getGrid({ db, id: 'old' })).toEqual(grid('old', 1));
		expect((await listGrids({ db })).map((g) => g.id)).toEqual(['new', 'old']);
		await deleteGrid({ db, id: 'old' });
		expect(await getGrid({ db, id: 'old' })).toBeUndefined();
		db.close();
	});

	it('records where cells run, replaces a resent one, and finds the grid from its current runs', async () => {
		const db = await open();
		await saveGrid({ db, grid: grid() });
		await updateGridCells({
			db,
			gridId: 'g1',
			runs: [
				{ key: 'z0-y0-x0-r0-n0', promptId: 'p1', serverId: 'attic' },
				{ key: 'z0-y0-x1-r0-n0', promptId: 'p2', serverId: 'studio' },
				{ key: 'no-such-cell', promptId: 'p9', serverId: 'studio' }
			]
		});
		// The attic lost p1: the cell went out again to the studio as p3.
		const updated = await updateGridCells({
			db,
			gridId: 'g1',
			runs: [{ key: 'z0-y0-x0-r0-n0', promptId: 'p3', serverId: 'studio' }]
		});
		expect(updated?.cells['z0-y0-x0-r0-n0']).toMatchObject({ promptId: 'p3', serverId: 'studio' });
		const stored = await getGrid({ db, id: 'g1' });
		expect(stored?.cells['z0-y0-x1-r0-n0']).toMatchObject({ promptId: 'p2', serverId: 'studio' });
		expect(stored?.cells['no-such-cell']).toBeUndefined();
		expect(stored && 'jobIds' in stored).toBe(false);
		expect((await gridOfJob({ db, jobId: 'p3' }))?.id).toBe('g1');
		expect((await gridOfJob({ db, jobId: 'p2' }))?.id).toBe('g1');
		expect(await gridOfJob({ db, jobId: 'p1' })).toBeUndefined();
		expect(await updateGridCells({ db, gridId: 'nope', runs: [] })).toBeUndefined();
		db.close();
	});

	it("finds a grid's runs, resent ones too, by the group the dispatcher tagged them with", async () => {
		const db = await open();
		const tagged = (id: string, batch: string, batchKey: string) =>
			jobRecord({ id, metadata: { batch, batchKey } });
		await putJob(db, tagged('p1', 'g1', 'z0-y0-x0-r0-n0'));
		await putJob(db, tagged('p3', 'g1', 'z0-y0-x0-r0-n0'));
		await putJob(db, tagged('p2', 'other', 'z0-y0-x0-r0-n0'));
		await putJob(db, jobRecord({ id: 'single' }));
		const ids = (await listGridJobs({ db, gridId: 'g1' })).map((j) => j.id).sort();
		expect(ids).toEqual(['p1', 'p3']);
		db.close();
	});

	it('skips and reports a broken record instead of showing it', async () => {
		const reported: UnreadableRecord[] = [];
		const db = await open((r) => reported.push(r));
		await saveGrid({ db, grid: grid('good', 2) });
		await putRawRecord(db, 'grids', { id: 'bad', createdAt: 1, axes: { x: 'cfg' }, cells: {} });
		expect((await listGrids({ db })).map((g) => g.id)).toEqual(['good']);
		expect(await getGrid({ db, id: 'bad' })).toBeUndefined();
		expect(reported).toEqual([
			{ store: 'grids', key: 'bad', problem: expect.stringMatching(/^templateId: /) }
		]);
		db.close();
	});

	it('refuses a cell placed outside the axes', () => {
		const g = grid();
		g.cells['z0-y0-x0-r0-n0']!.coords.x = 3;
		const read = readGridRecord(g);
		expect(read).toEqual({
			ok: false,
			key: 'g1',
			problem: 'cells.z0-y0-x0-r0-n0.coords.x: 3 is outside the X axis (3 values)'
		});
	});
});
