// Grids written into the page's IndexedDB as the app stores them, for specs that need a grid without running one.
import type { Page } from '@playwright/test';

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
