import { describe, expect, it } from 'vitest';
import { fitText, layoutGridSheet, type SheetCell, type SheetInput, type SheetOp } from './grid-sheet';

// A stand-in for measureText: every character is 0.6 of the font size wide.
const measure = (text: string, px: number) => text.length * px * 0.6;
const image = (hash: string, width = 512, height = 512): SheetCell => ({
	kind: 'image',
	hash,
	width,
	height
});

function input(overrides: Partial<SheetInput> = {}): SheetInput {
	return {
		title: 'Portrait · CFG × Sampler',
		xTitle: 'CFG',
		yTitle: 'Sampler',
		xLabels: ['5', '6.5'],
		yLabels: ['euler', 'dpmpp_2m'],
		tables: [
			{
				rows: [
					[[image('a')], [image('b')]],
					[[image('c')], [{ kind: 'empty', text: 'Failed' }]]
				]
			}
		],
		measure,
		...overrides
	};
}

const texts = (ops: SheetOp[]) => ops.flatMap((op) => (op.kind === 'text' ? [op.text] : []));
const images = (ops: SheetOp[]) => ops.filter((op) => op.kind === 'image');

describe('layoutGridSheet', () => {
	it('draws the title, both axis titles and every value, and each image at full size in its place', () => {
		const layout = layoutGridSheet(input());
		expect(texts(layout.ops)).toEqual([
			'Portrait · CFG × Sampler',
			'Sampler ↓',
			'CFG →',
			'5',
			'6.5',
			'euler',
			'dpmpp_2m'
		]);
		expect(layout.scale).toBe(1);
		const [a, b, c] = images(layout.ops) as Extract<SheetOp, { kind: 'image' }>[];
		expect(a).toMatchObject({ hash: 'a', width: 512, height: 512 });
		// X across, Y down: b right of a on the same row, c below a in the same column.
		expect(b!.y).toBe(a!.y);
		expect(b!.x).toBeGreaterThan(a!.x + 512);
		expect(c!.x).toBe(a!.x);
		expect(c!.y).toBeGreaterThan(a!.y + 512);
		// The failed cell is a box with its word, in the fourth place.
		expect(layout.ops.find((op) => op.kind === 'empty')).toMatchObject({ text: 'Failed', x: b!.x, y: c!.y });
		// Everything lies inside the picture.
		for (const op of layout.ops) {
			expect(op.x).toBeGreaterThanOrEqual(0);
			expect(op.y).toBeLessThanOrEqual(layout.height);
			if (op.kind !== 'text') expect(op.x + op.width).toBeLessThanOrEqual(layout.width);
		}
	});

	it('scales a grid too large for one canvas down to the caps, keeping each image in proportion', () => {
		const row = Array.from({ length: 12 }, (_, i) => [image(`i${i}`, 1024, 768)]);
		const layout = layoutGridSheet(
			input({
				xLabels: row.map((_, i) => String(i)),
				yLabels: ['a', 'b', 'c'],
				tables: [{ rows: [row, row, row] }]
			})
		);
		expect(layout.scale).toBeLessThan(1);
		expect(layout.width * layout.height).toBeLessThanOrEqual(16_000_000);
		const first = images(layout.ops)[0] as Extract<SheetOp, { kind: 'image' }>;
		expect(first.width / first.height).toBeCloseTo(1024 / 768, 1);
	});

	it('draws tiny images larger so their labels stay readable, and fits smaller ones inside the largest', () => {
		const layout = layoutGridSheet(
			input({
				tables: [
					{
						rows: [
							[[image('a', 32, 24)], [image('b', 64, 24)]],
							[[], []]
						]
					}
				]
			})
		);
		const [a, b] = images(layout.ops) as Extract<SheetOp, { kind: 'image' }>[];
		expect(b!.width).toBeGreaterThanOrEqual(160);
		// Half as wide as the widest, same height, centred in a cell as wide as b.
		expect(a!.width).toBe(Math.round(b!.width / 2));
		expect(a!.height).toBe(b!.height);
	});

	it('titles one table per Z value, and puts the repeats of a cell side by side', () => {
		const layout = layoutGridSheet(
			input({
				yTitle: undefined,
				yLabels: [''],
				tables: [
					{ title: 'Prompt: fox', rows: [[[image('a'), image('a2')], [image('b')]]] },
					{ title: 'Prompt: owl', rows: [[[image('c')], [image('d')]]] }
				]
			})
		);
		expect(texts(layout.ops)).toContain('Prompt: fox');
		expect(texts(layout.ops)).toContain('Prompt: owl');
		expect(texts(layout.ops)).not.toContain('Sampler ↓');
		const [a, a2, b] = images(layout.ops) as Extract<SheetOp, { kind: 'image' }>[];
		expect(a2!.y).toBe(a!.y);
		expect(a2!.x).toBeGreaterThan(a!.x);
		expect(b!.x).toBeGreaterThan(a2!.x + a2!.width);
	});

	it('cuts a label too long for its column with an ellipsis instead of running into the next', () => {
		const long = 'a very long prompt that goes on and on about a fox in the snow at dusk';
		const layout = layoutGridSheet(input({ xLabels: [long, '6.5'] }));
		const label = texts(layout.ops).find((t) => t.startsWith('a very'));
		expect(label).toMatch(/…$/);
		expect(label!.length).toBeLessThan(long.length);
	});
});

describe('fitText', () => {
	const m = (t: string) => t.length * 10;
	it('keeps text that fits and cuts what does not to the longest prefix that fits with the ellipsis', () => {
		expect(fitText('short', 50, m)).toBe('short');
		expect(fitText('longer text', 50, m)).toBe('long…');
		expect(fitText('anything', 5, m)).toBe('…');
	});
});
