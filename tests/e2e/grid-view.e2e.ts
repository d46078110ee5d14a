import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { PORTS } from '../../playwright.config';
import { seedGrid } from './grid-helpers';

// A grid kept in IndexedDB opens with no server at all: the static build, nothing configured.
const base = `http://127.0.0.1:${PORTS.staticRoot}/`;

test('a stored grid reopens from IndexedDB alone, labelled, each cell opening its run', async ({ page }) => {
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
	await seedGrid(page, {
		id: 'grid-a',
		xs: ['5', '6.5', '8'],
		ys: ['euler', 'dpmpp_2m'],
		done: ['0,0', '1,0', '2,0', '0,1'],
		failed: ['1,1']
	});

	await page.getByRole('link', { name: 'Grids', exact: true }).click();
	const entry = page.getByRole('link', { name: 'Portrait · CFG (3) × Sampler (2)' });
	await expect(entry).toBeVisible();
	await expect(page.getByText(/4 of 6 done · 1 failed/)).toBeVisible();
	await entry.click();

	const table = page.getByRole('table', { name: 'CFG × Sampler' });
	await expect(table.getByRole('columnheader')).toHaveText(['Sampler ↓ CFG →', '5', '6.5', '8']);
	await expect(table.getByRole('rowheader')).toHaveText(['euler', 'dpmpp_2m']);
	await expect(table.getByRole('img')).toHaveCount(4);
	await expect(table.getByRole('img', { name: 'CFG 6.5 · Sampler euler' })).toBeVisible();
	await expect(table.getByRole('link', { name: /CFG 6.5 · Sampler dpmpp_2m: Failed/ })).toContainText(
		'CUDA out of memory'
	);
	await expect(table.getByText('Not run')).toHaveCount(1);
	await expect(page.getByRole('status')).toHaveText('Ended: 4 of 6 done · 1 failed · 1 not run');

	// Reload-proof, then a cell opens its run, and the run links back to its grid.
	await page.reload();
	await expect(table.getByRole('img')).toHaveCount(4);
	await table.getByRole('link', { name: 'CFG 8 · Sampler euler: open the run' }).click();
	await expect(page).toHaveURL(/#\/history\/grid-a-job-2-0$/);
	await page.getByRole('link', { name: 'Portrait · CFG (3) × Sampler (2)' }).click();
	await expect(page).toHaveURL(/#\/grids\/grid-a$/);
	await expect(table.getByRole('img')).toHaveCount(4);
});

test('an unknown grid says so', async ({ page }) => {
	await page.goto(`${base}#/grids/nothing-here`);
	await expect(page.getByRole('heading', { name: 'No such grid in this browser' })).toBeVisible();
});

test('a grid exports as one labelled PNG and as a zip of its originals, with no server', async ({ page }) => {
	await page.goto(`${base}#/history`);
	await expect(page.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
	await seedGrid(page, {
		id: 'grid-b',
		xs: ['5', '6.5', '8'],
		ys: ['euler', 'dpmpp_2m'],
		done: ['0,0', '1,0', '2,0', '0,1', '1,1'],
		failed: ['2,1']
	});
	await page.goto(`${base}#/grids/grid-b`);
	const table = page.getByRole('table', { name: 'CFG × Sampler' });
	await expect(table.getByRole('img')).toHaveCount(5);

	const pngDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export PNG' }).click();
	const png = await pngDownload;
	expect(png.suggestedFilename()).toMatch(/^grid-Portrait-.*\.png$/);
	await expect(
		page.getByText(/^Saved grid-Portrait-.*\.png: 5 of 6 cells; 1 has no image yet\.$/)
	).toBeVisible();

	// Decoded in the page: every kept image is in the picture at full size or larger (drawn without smoothing, so
	// its colour is exact), and there is dark text (the labels) above and left of the images.
	const bytes = (await readFile((await png.path())!)).toString('base64');
	const found = await page.evaluate(async (b64) => {
		const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
		const bitmap = await createImageBitmap(blob);
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const ctx = canvas.getContext('2d')!;
		ctx.drawImage(bitmap, 0, 0);
		const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
		const colour = (x: number, y: number) => {
			const probe = new OffscreenCanvas(1, 1).getContext('2d')!;
			probe.fillStyle = `hsl(${(x * 47 + y * 113) % 360} 70% 50%)`;
			probe.fillRect(0, 0, 1, 1);
			return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)].join();
		};
		const counts = new Map<string, number>();
		let dark = 0;
		for (let i = 0; i < data.length; i += 4) {
			const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
			counts.set(key, (counts.get(key) ?? 0) + 1);
			if (data[i]! < 60 && data[i + 1]! < 60 && data[i + 2]! < 60) dark++;
		}
		const cells = ['0,0', '1,0', '2,0', '0,1', '1,1', '2,1'].map((c) => {
			const [x, y] = c.split(',').map(Number) as [number, number];
			return counts.get(colour(x, y)) ?? 0;
		});
		return { width: bitmap.width, height: bitmap.height, cells, dark };
	}, bytes);
	expect(found.cells.slice(0, 5).every((n) => n >= 96 * 64)).toBe(true);
	expect(found.cells[5]).toBe(0); // the failed cell has no image
	expect(found.dark).toBeGreaterThan(200);
	expect(found.width).toBeGreaterThan(3 * 96);

	const zipDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download originals (zip)' }).click();
	const zip = unzipSync(await readFile((await (await zipDownload).path())!));
	const names = Object.keys(zip).sort();
	expect(names).toEqual([
		'CFG 5 · Sampler dpmpp_2m.png',
		'CFG 5 · Sampler euler.png',
		'CFG 6.5 · Sampler dpmpp_2m.png',
		'CFG 6.5 · Sampler euler.png',
		'CFG 8 · Sampler euler.png',
		'grid.json'
	]);
	// The originals byte for byte, as kept in IndexedDB.
	const kept = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve) => {
			const open = indexedDB.open('comfy-deck');
			open.onsuccess = () => resolve(open.result);
		});
		const record = await new Promise<{ blob: Blob }>((resolve) => {
			const read = db.transaction('images').objectStore('images').get('grid-b-image-1-0');
			read.onsuccess = () => resolve(read.result as { blob: Blob });
		});
		db.close();
		return [...new Uint8Array(await record.blob.arrayBuffer())];
	});
	expect([...zip['CFG 6.5 · Sampler euler.png']!]).toEqual(kept);
	const manifest = JSON.parse(strFromU8(zip['grid.json']!)) as {
		cells: { cell: string; x: string; y: string; files: string[] }[];
	};
	expect(manifest.cells.find((c) => c.x === '8' && c.y === 'dpmpp_2m')?.files).toEqual([]);
	expect(manifest.cells.find((c) => c.x === '6.5' && c.y === 'euler')?.files).toEqual([
		'CFG 6.5 · Sampler euler.png'
	]);
});
