/**
 * Where everything goes on a grid's exported picture: a title, then one table per Z value with the X values
 * across, the Y values down and the axis titles in the corner, each cell's image in place. Pure layout (text is
 * measured through a function given in), drawn by `drawGridSheet` in grid-export.ts; tested in Node.
 */

/** One run in a cell: its image (by content hash) with its size, or a word instead (`Failed`, `Not run`). */
export type SheetCell =
	{ kind: 'image'; hash: string; width: number; height: number } | { kind: 'empty'; text: string };

export interface SheetTable {
	/** `Prompt: fox` for a Z value; none without Z. */
	title?: string;
	/** rows[y][x]: the runs of that cell (one, or several repeats). */
	rows: SheetCell[][][];
}

export interface SheetInput {
	title: string;
	xTitle: string;
	yTitle?: string;
	xLabels: string[];
	/** One per row; a single '' without a Y axis. */
	yLabels: string[];
	tables: SheetTable[];
	/** Width in px of `text` in a `px`-sized font (the canvas's measureText; a stand-in in tests). */
	measure: (text: string, px: number, bold: boolean) => number;
	/** Caps on the picture (browsers refuse larger canvases; Safari's is about 16.7 M pixels). */
	maxSide?: number;
	maxArea?: number;
}

export type SheetOp =
	| {
			kind: 'text';
			text: string;
			x: number;
			y: number;
			px: number;
			bold: boolean;
			align: 'left' | 'center' | 'right';
			muted?: boolean;
	  }
	| { kind: 'image'; hash: string; x: number; y: number; width: number; height: number }
	| { kind: 'empty'; text: string; x: number; y: number; width: number; height: number; px: number };

export interface SheetLayout {
	width: number;
	height: number;
	/** What the images were scaled by (below 1: the grid was too large for one picture at full size). */
	scale: number;
	ops: SheetOp[];
}

const MAX_SIDE = 16_384;
const MAX_AREA = 16_000_000;
/** Tiny images (a 64 px test) are drawn larger, so the labels beside them stay readable. */
const MIN_CELL = 160;

/** `text` cut with an ellipsis to fit `max` px. */
export function fitText(text: string, max: number, measure: (text: string) => number): string {
	if (measure(text) <= max) return text;
	let lo = 0;
	let hi = text.length;
	while (lo < hi) {
		const mid = Math.ceil((lo + hi) / 2);
		if (measure(`${text.slice(0, mid)}…`) <= max) lo = mid;
		else hi = mid - 1;
	}
	return lo > 0 ? `${text.slice(0, lo)}…` : '…';
}

/** The layout of the whole picture, images scaled down (never distorted) until it fits the caps. */
export function layoutGridSheet(input: SheetInput): SheetLayout {
	let natural = { width: 1, height: 1 };
	let perCell = 1;
	for (const table of input.tables)
		for (const row of table.rows)
			for (const runs of row) {
				perCell = Math.max(perCell, runs.length);
				for (const run of runs)
					if (run.kind === 'image')
						natural = {
							width: Math.max(natural.width, run.width),
							height: Math.max(natural.height, run.height)
						};
			}
	const maxSide = input.maxSide ?? MAX_SIDE;
	const maxArea = input.maxArea ?? MAX_AREA;
	let scale = Math.max(1, MIN_CELL / Math.max(natural.width, natural.height));
	for (let attempt = 0; attempt < 8; attempt++) {
		const layout = layoutAt(input, natural, perCell, scale);
		const over = Math.max(
			layout.width / maxSide,
			layout.height / maxSide,
			Math.sqrt((layout.width * layout.height) / maxArea)
		);
		if (over <= 1) return layout;
		scale = (scale / over) * 0.98;
	}
	return layoutAt(input, natural, perCell, scale);
}

function layoutAt(
	input: SheetInput,
	natural: { width: number; height: number },
	perCell: number,
	scale: number
): SheetLayout {
	const cellW = Math.max(8, Math.round(natural.width * scale));
	const cellH = Math.max(8, Math.round(natural.height * scale));
	const px = clamp(Math.round(Math.min(cellW, cellH) * 0.1), 11, 28);
	const titlePx = Math.round(px * 1.35);
	const line = Math.round(px * 1.5);
	const gap = clamp(Math.round(px / 3), 3, 10);
	const pad = px * 2;
	const slotW = perCell * cellW + (perCell - 1) * gap;
	const measure =
		(bold: boolean, size = px) =>
		(text: string) =>
			input.measure(text, size, bold);

	const cornerTexts = [input.yTitle ? `${input.yTitle} ↓` : '', `${input.xTitle} →`];
	const labelWidths = [...input.yLabels, ...cornerTexts].map((t) => measure(true)(t));
	// Row labels get what they need, up to one and a half cells; longer ones are cut with an ellipsis.
	const labelW = Math.min(Math.ceil(Math.max(...labelWidths)) + gap * 2, Math.max(slotW * 1.5, px * 8));
	const columns = input.xLabels.length;
	const tableW = labelW + columns * (slotW + gap);
	const width = Math.ceil(Math.max(tableW, measure(true, titlePx)(input.title)) + pad * 2);

	const ops: SheetOp[] = [];
	let y = pad;
	ops.push({
		kind: 'text',
		text: fitText(input.title, width - pad * 2, measure(true, titlePx)),
		x: pad,
		y: y + titlePx / 2,
		px: titlePx,
		bold: true,
		align: 'left'
	});
	y += Math.round(titlePx * 1.6);

	for (const table of input.tables) {
		if (table.title) {
			y += line / 2;
			ops.push({
				kind: 'text',
				text: fitText(table.title, width - pad * 2, measure(true)),
				x: pad,
				y: y + line / 2,
				px,
				bold: true,
				align: 'left'
			});
			y += line;
		}
		// The corner names the axes (Y above X, as in the grid view); the X values sit at the bottom of the header.
		const headerH = line * 2;
		const cornerX = pad + labelW - gap;
		if (input.yTitle)
			ops.push(corner(fitText(cornerTexts[0]!, labelW - gap, measure(true)), cornerX, y + line / 2, px));
		ops.push(corner(fitText(cornerTexts[1]!, labelW - gap, measure(true)), cornerX, y + line * 1.5, px));
		input.xLabels.forEach((label, x) => {
			ops.push({
				kind: 'text',
				text: fitText(label, slotW, measure(true)),
				x: pad + labelW + x * (slotW + gap) + slotW / 2,
				y: y + line * 1.5,
				px,
				bold: true,
				align: 'center'
			});
		});
		y += headerH + gap;
		table.rows.forEach((row, r) => {
			ops.push({
				kind: 'text',
				text: fitText(input.yLabels[r] ?? '', labelW - gap, measure(true)),
				x: pad + labelW - gap,
				y: y + cellH / 2,
				px,
				bold: true,
				align: 'right'
			});
			row.forEach((runs, x) => {
				runs.forEach((run, i) => {
					const box = {
						x: pad + labelW + x * (slotW + gap) + i * (cellW + gap),
						y,
						width: cellW,
						height: cellH
					};
					ops.push(
						run.kind === 'image'
							? { kind: 'image', hash: run.hash, ...fit(run, box) }
							: { kind: 'empty', text: run.text, ...box, px }
					);
				});
			});
			y += cellH + gap;
		});
	}
	return { width, height: Math.ceil(y - gap + pad), scale: cellW / natural.width, ops };
}

function corner(text: string, x: number, y: number, px: number): SheetOp {
	return { kind: 'text', text, x, y, px, bold: false, align: 'right', muted: true };
}

/** An image's box inside its cell: as large as fits, centred, its proportions kept. */
function fit(
	image: { width: number; height: number },
	box: { x: number; y: number; width: number; height: number }
) {
	const s = Math.min(box.width / image.width, box.height / image.height);
	const width = Math.round(image.width * s);
	const height = Math.round(image.height * s);
	return {
		x: box.x + Math.round((box.width - width) / 2),
		y: box.y + Math.round((box.height - height) / 2),
		width,
		height
	};
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
