import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '$lib/comfy';
import { openDeckDb } from '$lib/storage/db';
import { getGrid, gridOfJob, listGridJobs, saveGrid, type GridRecord } from '$lib/storage/grids';
import { putImage } from '$lib/storage/images';
import { putJob } from '$lib/storage/jobs';
import { jobRecord } from '$lib/storage/testing/records';
import { storedSummary } from './grid-list.svelte';
import { GridState, type GridQueueSource } from './grid.svelte';

let n = 0;
const open = () => openDeckDb({ name: `grid-state-${n++}-${Math.random()}` });

// 3 × 2: CFG across, sampler down.
function grid(): GridRecord {
	const cells: GridRecord['cells'] = {};
	for (let y = 0; y < 2; y++)
		for (let x = 0; x < 3; x++) {
			const key = `z0-y${y}-x${x}-r0-n0`;
			cells[key] = { key, itemId: `item-${x}-${y}`, coords: { z: 0, y, x, row: 0, repeat: 0 } };
		}
	return {
		id: 'g1',
		templateId: 't',
		templateName: 'Portrait',
		createdAt: 1,
		axes: {
			x: { parameterId: 'cfg', title: 'CFG', values: ['5', '6', '7'] },
			y: { parameterId: 'sampler', title: 'Sampler', values: ['euler', 'dpmpp_2m'] }
		},
		cells
	};
}

const png = (n: number) => new Blob([new Uint8Array([137, 80, 78, 71, n])], { type: 'image/png' });

async function seed() {
	const db = await open();
	await saveGrid({ db, grid: grid() });
	// Two kept results, one of them resent after its first run was lost.
	const kept = async (id: string, key: string, bytes: number, created: number) => {
		const hash = await putImage(db, { blob: png(bytes), thumbnail: png(bytes + 100) });
		await putJob(
			db,
			jobRecord({
				id,
				createdAt: created,
				metadata: { batch: 'g1', batchKey: key },
				app: { images: [{ filename: `${id}.png`, subfolder: '', type: 'output', hash }] }
			})
		);
		return hash;
	};
	const h1 = await kept('p1', 'z0-y0-x0-r0-n0', 1, 1);
	await putJob(
		db,
		jobRecord({
			id: 'p2-lost',
			status: 'lost',
			createdAt: 2,
			metadata: { batch: 'g1', batchKey: 'z0-y0-x1-r0-n0' }
		})
	);
	const h2 = await kept('p2', 'z0-y0-x1-r0-n0', 2, 3);
	await putJob(
		db,
		jobRecord({
			id: 'p3',
			status: 'failed',
			createdAt: 4,
			error: { kind: 'execution', message: 'CUDA out of memory' },
			metadata: { batch: 'g1', batchKey: 'z0-y1-x0-r0-n0' }
		})
	);
	return { db, h1, h2 };
}

describe('GridState', () => {
	it('reopens a grid from IndexedDB alone: thumbnails of kept runs, failures, and cells not run', async () => {
		const { db, h1, h2 } = await seed();
		const state = new GridState({ db: Promise.resolve(db), jobs: { byId: {} } });
		await state.open('g1');
		expect(state.grid?.templateName).toBe('Portrait');
		const [table] = state.tables;
		const states = table!.rows.map((r) => r.cells.map((list) => list.map((c) => c.state).join()));
		expect(states).toEqual([
			['done', 'done', 'unknown'],
			['failed', 'unknown', 'unknown']
		]);
		expect(table!.rows[0]!.cells[1]![0]).toMatchObject({ jobId: 'p2', imageHash: h2 });
		expect(table!.rows[1]!.cells[0]![0]).toMatchObject({ jobId: 'p3', detail: 'CUDA out of memory' });
		expect(state.thumbnailOf(h1)).toMatch(/^blob:/);
		expect(state.summary).toMatchObject({ total: 6, done: 2, failed: 1, notRun: 3, complete: true });
		// It wrote down which run each cell is, so a run's page finds its grid.
		expect((await getGrid({ db, id: 'g1' }))?.cells['z0-y0-x1-r0-n0']?.promptId).toBe('p2');
		expect((await gridOfJob({ db, jobId: 'p3' }))?.id).toBe('g1');
		state.dispose();
		expect(state.thumbnailOf(h1)).toBeUndefined();
		db.close();
	});

	it('fills in live: a running cell shows its progress, a waiting one says why it waits', async () => {
		const { db } = await seed();
		const live: JobRecord & { serverId: string } = {
			...jobRecord({ id: 'p5', status: 'running', metadata: { batch: 'g1', batchKey: 'z0-y0-x2-r0-n0' } }),
			progress: { nodesDone: 1, nodesTotal: 2, value: 0, max: 0 } as JobRecord['progress']
		};
		const jobs = { byId: { p5: live } };
		const queue: GridQueueSource = {
			entryOf: (itemId) => (itemId === 'item-1-1' ? { status: 'waiting' } : undefined),
			reasons: new Map([['item-1-1', 'waiting: sending at most 10 a second']])
		};
		const state = new GridState({ db: Promise.resolve(db), jobs, queue: () => queue });
		await state.open('g1');
		expect(state.views.get('z0-y0-x2-r0-n0')).toMatchObject({ state: 'running', progress: 0.5, jobId: 'p5' });
		expect(state.views.get('z0-y1-x1-r0-n0')).toMatchObject({
			state: 'waiting',
			detail: 'waiting: sending at most 10 a second'
		});
		expect(state.summary.complete).toBe(false);
		state.dispose();
		db.close();
	});

	it('says there is no such grid, and a list counts a grid from its stored runs', async () => {
		const { db } = await seed();
		const state = new GridState({ db: Promise.resolve(db), jobs: { byId: {} } });
		await state.open('nope');
		expect(state.loaded).toBe(true);
		expect(state.grid).toBeUndefined();
		const stored = await getGrid({ db, id: 'g1' });
		const summary = storedSummary(stored!, await listGridJobs({ db, gridId: 'g1' }));
		// Cells storage knows no run of may still be waiting in the queue: not counted as failed.
		expect(summary).toEqual({ total: 6, done: 2, failed: 1, running: 0, notRun: 0, complete: false });
		db.close();
	});
});
