/**
 * A grid's exports, loaded only when the user asks for one (the canvas drawing and fflate stay out of the grid
 * page's first load): one PNG with the axis labels drawn in, and a zip of the kept originals with a grid.json
 * saying which file is which cell. Both read the originals from IndexedDB: no server is needed.
 */
import type { DeckDb } from '$lib/storage/db';
import type { GridCellRecord, GridRecord } from '$lib/storage/grids';
import { getImage } from '$lib/storage/images';
import { getJob } from '$lib/storage/jobs';
import { safeFileName, uniqueNames, zipBlob, type ZipInput } from '$lib/util/zip';
import type { GridCellView } from './grid-table';
import { layoutGridSheet, type SheetCell, type SheetLayout, type SheetTable } from './grid-sheet';

export interface GridExportInput {
	db: DeckDb;
	grid: GridRecord;
	/** The grid view's cells by key (which run each shows, and whether it is done). */
	views: ReadonlyMap<string, GridCellView>;
}

export interface GridExport {
	blob: Blob;
	fileName: string;
	/** Cells whose image is in it. */
	count: number;
	/** Cells without an image (not done, or not kept in this browser). */
	missing: number;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** The grid as one PNG: title, axis titles and values, every cell's image in place (a word where there is none). */
export async function exportGridPng({ db, grid, views }: GridExportInput): Promise<GridExport> {
	const sizes = new Map<string, { width: number; height: number; blob: Blob }>();
	const cellOf = async (view: GridCellView | undefined): Promise<SheetCell> => {
		if (!view) return { kind: 'empty', text: 'Not run' };
		if (view.state !== 'done' || !view.imageHash) return { kind: 'empty', text: emptyText(view) };
		const stored = sizes.get(view.imageHash) ?? (await readSize(db, view.imageHash));
		if (!stored) return { kind: 'empty', text: 'Not kept' };
		sizes.set(view.imageHash, stored);
		return { kind: 'image', hash: view.imageHash, width: stored.width, height: stored.height };
	};

	const tables: SheetTable[] = [];
	const size = (axis: 'x' | 'y' | 'z') => grid.axes[axis]?.values.length ?? 1;
	for (let z = 0; z < size('z'); z++) {
		const rows: SheetCell[][][] = Array.from({ length: size('y') }, () =>
			Array.from({ length: size('x') }, () => [])
		);
		tables.push({
			...(grid.axes.z ? { title: `${grid.axes.z.title}: ${grid.axes.z.values[z]}` } : {}),
			rows
		});
	}
	let count = 0;
	for (const cell of Object.values(grid.cells)) {
		const sheetCell = await cellOf(views.get(cell.key));
		if (sheetCell.kind === 'image') count++;
		tables[cell.coords.z]?.rows[cell.coords.y]?.[cell.coords.x]?.push(sheetCell);
	}

	const canvas = document.createElement('canvas');
	const ctx = canvas.getContext('2d');
	if (!ctx) throw new Error('this browser cannot draw the picture (no 2D canvas)');
	const layout = layoutGridSheet({
		title: `${grid.templateName} · ${[grid.axes.x, grid.axes.y, grid.axes.z].flatMap((a) => (a ? [a.title] : [])).join(' × ')}`,
		xTitle: grid.axes.x.title,
		...(grid.axes.y ? { yTitle: grid.axes.y.title } : {}),
		xLabels: grid.axes.x.values,
		yLabels: grid.axes.y?.values ?? [''],
		tables,
		measure: (text, px, bold) => {
			ctx.font = font(px, bold);
			return ctx.measureText(text).width;
		}
	});
	await drawGridSheet({ canvas, ctx, layout, blobOf: (hash) => sizes.get(hash)?.blob });
	const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
	if (!blob) throw new Error(`the browser could not encode a ${layout.width}×${layout.height} picture`);
	return { blob, fileName: `${baseName(grid)}.png`, count, missing: Object.keys(grid.cells).length - count };
}

/** Draws a layout: white sheet, dark labels, each image decoded one at a time (a large grid never holds all). */
export async function drawGridSheet({
	canvas,
	ctx,
	layout,
	blobOf
}: {
	canvas: HTMLCanvasElement;
	ctx: CanvasRenderingContext2D;
	layout: SheetLayout;
	blobOf: (hash: string) => Blob | undefined;
}): Promise<void> {
	canvas.width = layout.width;
	canvas.height = layout.height;
	ctx.fillStyle = '#ffffff';
	ctx.fillRect(0, 0, layout.width, layout.height);
	// Small images blown up stay sharp pixels instead of a blur.
	ctx.imageSmoothingEnabled = layout.scale < 1;
	ctx.textBaseline = 'middle';
	for (const op of layout.ops) {
		if (op.kind === 'text') {
			ctx.font = font(op.px, op.bold);
			ctx.fillStyle = op.muted ? '#555b66' : '#15181d';
			ctx.textAlign = op.align;
			ctx.fillText(op.text, op.x, op.y);
		} else if (op.kind === 'empty') {
			ctx.fillStyle = '#eef0f3';
			ctx.fillRect(op.x, op.y, op.width, op.height);
			ctx.font = font(op.px, false);
			ctx.fillStyle = '#555b66';
			ctx.textAlign = 'center';
			ctx.fillText(op.text, op.x + op.width / 2, op.y + op.height / 2, op.width - 4);
		} else {
			const blob = blobOf(op.hash);
			if (!blob) continue;
			const bitmap = await createImageBitmap(blob);
			ctx.drawImage(bitmap, op.x, op.y, op.width, op.height);
			bitmap.close();
		}
	}
}

/** The kept originals of the grid's finished cells, named after their cell, with grid.json to map them back. */
export async function exportGridZip({ db, grid, views }: GridExportInput): Promise<GridExport> {
	const files: ZipInput[] = [];
	const manifest: { cell: string; x?: string; y?: string; z?: string; files: string[] }[] = [];
	let count = 0;
	for (const cell of Object.values(grid.cells)) {
		const view = views.get(cell.key);
		const job = view?.state === 'done' && view.jobId ? await getJob(db, view.jobId) : undefined;
		const names: string[] = [];
		for (const image of job?.app.images ?? []) {
			const stored = image.hash ? await getImage(db, image.hash) : undefined;
			if (!stored) continue;
			const name = safeFileName(`${cellName(grid, cell)}${extensionOf(image.filename, stored.mime)}`);
			files.push({ name, bytes: new Uint8Array(await stored.blob.arrayBuffer()) });
			names.push(name);
		}
		if (names.length) count++;
		manifest.push({ cell: cell.key, ...axisValues(grid, cell), files: names });
	}
	// Two cells can share a name (repeats, labels cut short): grid.json must name what the archive holds.
	const unique = uniqueNames(files.map((f) => f.name));
	let i = 0;
	for (const entry of manifest) entry.files = entry.files.map(() => unique[i++]!);
	files.forEach((f, n) => (f.name = unique[n]!));
	const summary = { template: grid.templateName, axes: grid.axes, cells: manifest };
	files.push({ name: 'grid.json', bytes: new TextEncoder().encode(JSON.stringify(summary, null, '\t')) });
	return {
		blob: zipBlob(files),
		fileName: `${baseName(grid)}.zip`,
		count,
		missing: Object.keys(grid.cells).length - count
	};
}

function emptyText(view: GridCellView): string {
	switch (view.state) {
		case 'failed':
			return 'Failed';
		case 'unknown':
			return 'Not run';
		case 'done':
			return 'Not kept';
		default:
			return 'Not done';
	}
}

async function readSize(db: DeckDb, hash: string) {
	const image = await getImage(db, hash);
	if (!image || (image.kind && image.kind !== 'image' && image.kind !== 'animated')) return undefined;
	if (image.width && image.height) return { width: image.width, height: image.height, blob: image.blob };
	const bitmap = await createImageBitmap(image.blob);
	const read = { width: bitmap.width, height: bitmap.height, blob: image.blob };
	bitmap.close();
	return read;
}

function font(px: number, bold: boolean): string {
	return `${bold ? '600 ' : ''}${px}px ${FONT}`;
}

function axisValues(grid: GridRecord, cell: GridCellRecord) {
	const value = (axis: 'x' | 'y' | 'z') => grid.axes[axis]?.values[cell.coords[axis]];
	const x = value('x');
	const y = value('y');
	const z = value('z');
	return {
		...(x !== undefined ? { x } : {}),
		...(y !== undefined ? { y } : {}),
		...(z !== undefined ? { z } : {})
	};
}

/** `CFG 5 · Sampler euler`, or the axis values when the cell has no label; repeats get their number. */
function cellName(grid: GridRecord, cell: GridCellRecord): string {
	const values = [grid.axes.z, grid.axes.y, grid.axes.x].flatMap((axis, i) => {
		const name = (['z', 'y', 'x'] as const)[i]!;
		return axis ? [`${axis.title} ${axis.values[cell.coords[name]] ?? ''}`] : [];
	});
	const base = cell.label || values.join(' · ');
	return cell.coords.repeat || cell.coords.row
		? `${base} #${cell.coords.row + cell.coords.repeat + 1}`
		: base;
}

function extensionOf(filename: string, mime: string): string {
	const dot = filename.lastIndexOf('.');
	if (dot > 0) return filename.slice(dot);
	return mime === 'image/jpeg' ? '.jpg' : mime === 'image/webp' ? '.webp' : '.png';
}

function baseName(grid: GridRecord): string {
	const stamp = new Date(grid.createdAt).toISOString().slice(0, 16).replace(/[T:]/g, '-');
	return safeFileName(`grid-${grid.templateName}-${stamp}`);
}
