// Grids written into the page's IndexedDB as the app stores them, for specs that need a grid without running one.
import type { Page } from '@playwright/test';
import { writeStoredQueue } from './queue-helpers';

export interface SeedGrid {
	id: string;
	/** X value labels (CFG) and Y value labels (Sampler). */
	xs: string[];
	ys: string[];
	/** Cells (`x,y`) whose run succeeded with a kept image; the rest failed or are absent. */
	done: string[];
	failed?: string[];
	/** Pixel size of each kept image. */
	size?: { width: number; height: number };
}

/** Writes a grid, its jobs and their images (solid PNGs drawn in the page) into the app's database. */
export async function seedGrid(page: Page, seed: SeedGrid): Promise<void> {
	await page.evaluate(async (seed) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const { width, height } = seed.size ?? { width: 96, height: 64 };
		const put = (store: string, value: unknown) =>
			new Promise<void>((resolve, reject) => {
				const tx = db.transaction(store, 'readwrite');
				tx.objectStore(store).put(value);
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
		const cells: Record<string, unknown> = {};
		const now = Date.now();
		for (let y = 0; y < seed.ys.length; y++)
			for (let x = 0; x < seed.xs.length; x++) {
				const key = `z0-y${y}-x${x}-r0-n0`;
				cells[key] = {
					key,
					itemId: `${seed.id}-item-${x}-${y}`,
					coords: { z: 0, y, x, row: 0, repeat: 0 },
					label: `CFG ${seed.xs[x]} · Sampler ${seed.ys[y]}`
				};
				const jobId = `${seed.id}-job-${x}-${y}`;
				const failed = seed.failed?.includes(`${x},${y}`);
				if (!failed && !seed.done.includes(`${x},${y}`)) continue;
				const job = {
					id: jobId,
					serverId: 'studio',
					serverUrl: 'http://studio.invalid:8188/',
					workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
					status: failed ? 'failed' : 'succeeded',
					outputs: [],
					timings: { created: now, started: now, finished: now + 10 },
					attempts: 1,
					createdAt: now,
					metadata: { batch: seed.id, batchKey: key },
					...(failed ? { error: { kind: 'execution', message: 'CUDA out of memory' } } : {}),
					app: { templateId: 'portrait', templateName: 'Portrait' } as Record<string, unknown>
				};
				if (!failed) {
					const canvas = new OffscreenCanvas(width, height);
					const ctx = canvas.getContext('2d')!;
					ctx.fillStyle = `hsl(${(x * 47 + y * 113) % 360} 70% 50%)`;
					ctx.fillRect(0, 0, width, height);
					const blob = await canvas.convertToBlob({ type: 'image/png' });
					const hash = `${seed.id}-image-${x}-${y}`;
					await put('images', {
						hash,
						blob,
						mime: 'image/png',
						bytes: blob.size,
						width,
						height,
						createdAt: now
					});
					job.app.images = [
						{
							filename: `cell_${x}_${y}.png`,
							subfolder: '',
							type: 'output',
							hash,
							width,
							height,
							mime: 'image/png'
						}
					];
				}
				await put('jobs', job);
			}
		await put('grids', {
			id: seed.id,
			templateId: 'portrait',
			templateName: 'Portrait',
			createdAt: now,
			axes: {
				x: { parameterId: 'cfg', title: 'CFG', values: seed.xs },
				y: { parameterId: 'sampler', title: 'Sampler', values: seed.ys }
			},
			cells,
			jobIds: []
		});
		db.close();
	}, seed);
}

/** A grid about to run: its record and one waiting browser-queue item per cell, as the grid builder queues them. */
export interface QueuedGridSeed {
	id: string;
	x: { parameterId: string; title: string; values: string[] };
	y: { parameterId: string; title: string; values: string[] };
	/** The API prompt of the cell at (x, y). */
	workflow: (x: number, y: number) => Record<string, { class_type: string; inputs: Record<string, unknown> }>;
}

/**
 * Writes a grid record and its items into the stored browser queue (replacing it). Call it from a page of the
 * app's origin where the app is not running (a static file): a running app would overwrite the stored queue.
 */
export async function seedQueuedGrid(page: Page, seed: QueuedGridSeed): Promise<void> {
	const cells: { key: string; x: number; y: number; label: string; workflow: unknown }[] = [];
	seed.y.values.forEach((yValue, y) =>
		seed.x.values.forEach((xValue, x) =>
			cells.push({
				key: `z0-y${y}-x${x}-r0-n0`,
				x,
				y,
				label: `${seed.x.title} ${xValue} · ${seed.y.title} ${yValue}`,
				workflow: seed.workflow(x, y)
			})
		)
	);
	const { workflow: _workflow, ...record } = seed;
	await page.evaluate(
		async ({ seed, cells }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const now = Date.now();
			const itemId = (key: string) => `${seed.id}-${key}`;
			const tx = db.transaction('grids', 'readwrite');
			tx.objectStore('grids').put({
				id: seed.id,
				templateId: 'slow-image',
				templateName: 'Slow image',
				createdAt: now,
				axes: { x: seed.x, y: seed.y },
				cells: Object.fromEntries(
					cells.map((c) => [
						c.key,
						{
							key: c.key,
							itemId: itemId(c.key),
							coords: { z: 0, y: c.y, x: c.x, row: 0, repeat: 0 },
							label: c.label
						}
					])
				),
				jobIds: []
			});
			await new Promise<void>((resolve, reject) => {
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
			db.close();
		},
		{ seed: record, cells }
	);
	const now = Date.now();
	await writeStoredQueue(page, {
		paused: false,
		entries: cells.map((c) => ({
			id: `${seed.id}-${c.key}`,
			status: 'waiting',
			priority: 0,
			target: { kind: 'any' },
			workflow: c.workflow,
			group: { id: seed.id, key: c.key },
			label: c.label,
			app: { templateId: 'slow-image', templateName: 'Slow image' },
			createdAt: now,
			attempts: []
		}))
	});
}

/** Every job the app stored for a grid: its prompt id, cell key, status, whether an image was kept, its error. */
export async function storedGridJobs(
	page: Page,
	gridId: string
): Promise<{ id: string; key: string; status: string; serverId: string; kept: boolean; error?: string }[]> {
	return page.evaluate(async (gridId) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		const jobs = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
			const read = db.transaction('jobs').objectStore('jobs').index('byBatch').getAll(gridId);
			read.onsuccess = () => resolve(read.result as Record<string, unknown>[]);
			read.onerror = () => reject(read.error);
		});
		db.close();
		return jobs.map((job) => {
			const metadata = job.metadata as { batchKey?: string } | undefined;
			const app = job.app as { images?: { hash?: string }[] } | undefined;
			return {
				id: String(job.id),
				key: metadata?.batchKey ?? '',
				status: String(job.status),
				serverId: String(job.serverId),
				kept: Boolean(app?.images?.[0]?.hash),
				...(job.error ? { error: JSON.stringify(job.error) } : {})
			};
		});
	}, gridId);
}
