import { describe, expect, it } from 'vitest';
import { applyParameters } from '../workflow/apply-parameters';
import type { ApiWorkflow } from '../workflow/types';
import { CONFIRM_ABOVE, describeItem, expandBatch } from './expand';
import { PARAMETERS } from './testing/parameters';
import { parseValueCsv, parseValueLines } from './values';

const form = { prompt: 'a cat on a red sofa', seed: 100, steps: 20, cfg: 7, sampler: 'euler', width: 512 };

describe('expandBatch: batch count and seeds', () => {
	it('runs the form seed first, then increments it', () => {
		const r = expandBatch({ parameters: PARAMETERS, values: form, count: 3, seedMode: 'increment' });
		expect(r.ok && r.items.map((i) => i.values.seed)).toEqual([100, 101, 102]);
		expect(r.ok && r.items.map((i) => i.key)).toEqual(['z0-y0-x0-r0-n0', 'z0-y0-x0-r0-n1', 'z0-y0-x0-r0-n2']);
	});

	it('keeps a fixed seed and draws new random ones', () => {
		const fixed = expandBatch({ parameters: PARAMETERS, values: form, count: 3, seedMode: 'fixed' });
		expect(fixed.ok && fixed.items.map((i) => i.values.seed)).toEqual([100, 100, 100]);
		const draws = [0.25, 0.5];
		const random = expandBatch({
			parameters: PARAMETERS,
			values: form,
			count: 3,
			seedMode: 'random',
			random01: () => draws.shift()!
		});
		expect(random.ok && random.items.map((i) => i.values.seed)).toEqual([100, 2 ** 48, 2 ** 49]);
	});

	it("uses each seed parameter's own mode by default", () => {
		// SEED's template mode is increment.
		const r = expandBatch({ parameters: PARAMETERS, values: form, count: 2 });
		expect(r.ok && r.items.map((i) => i.values.seed)).toEqual([100, 101]);
	});

	it('refuses a batch count that is not a whole number of at least 1', () => {
		expect(expandBatch({ parameters: PARAMETERS, values: form, count: 0 })).toEqual({
			ok: false,
			issues: [{ where: 'Batch count', message: 'Enter a whole number of runs, 1 or more.' }]
		});
	});
});

describe('expandBatch: grids', () => {
	it('nests Z, Y, X and repeats in a stable order with coordinates', () => {
		const r = expandBatch({
			parameters: PARAMETERS,
			values: form,
			count: 2,
			seedMode: 'fixed',
			axes: {
				x: { kind: 'range', parameterId: 'cfg', start: 5, end: 6, step: 0.5 },
				y: { kind: 'choices', parameterId: 'sampler', choices: ['euler', 'dpmpp_2m'] },
				z: { kind: 'replace', parameterId: 'prompt', search: 'cat', values: ['cat', 'fox'] }
			}
		});
		if (!r.ok) throw new Error(JSON.stringify(r.issues));
		expect(r.total).toBe(2 * 2 * 3 * 2);
		expect(r.items).toHaveLength(r.total);
		expect(r.shape).toEqual({ z: 2, y: 2, x: 3, row: 1, repeat: 2 });
		expect(r.items.slice(0, 3).map((i) => [i.key, i.values.cfg, i.values.sampler, i.values.prompt])).toEqual([
			['z0-y0-x0-r0-n0', 5, 'euler', 'a cat on a red sofa'],
			['z0-y0-x0-r0-n1', 5, 'euler', 'a cat on a red sofa'],
			['z0-y0-x1-r0-n0', 5.5, 'euler', 'a cat on a red sofa']
		]);
		const last = r.items.at(-1)!;
		expect(last).toMatchObject({
			index: 23,
			coords: { z: 1, y: 1, x: 2, row: 0, repeat: 1 },
			overrides: { cfg: 6, sampler: 'dpmpp_2m', prompt: 'a fox on a red sofa', seed: 100 }
		});
		expect(r.axes.x?.entries.map((e) => e.label)).toEqual(['5', '5.5', '6']);
		expect(r.axes.z?.entries.map((e) => e.label)).toEqual(['cat', 'fox']);
		expect(new Set(r.items.map((i) => i.key)).size).toBe(r.total);
		expect(r.needsConfirmation).toBe(false);
	});

	it('keeps the same seed in every cell of a repeat, so cells compare like with like', () => {
		const r = expandBatch({
			parameters: PARAMETERS,
			values: form,
			count: 2,
			seedMode: 'increment',
			axes: { x: { kind: 'values', parameterId: 'steps', values: [10, 20, 30] } }
		});
		expect(r.ok && r.items.map((i) => `${i.values.steps}/${i.values.seed}`)).toEqual([
			'10/100',
			'10/101',
			'20/100',
			'20/101',
			'30/100',
			'30/101'
		]);
	});

	it('asks for confirmation past 100 items and refuses past the limit', () => {
		const big = expandBatch({
			parameters: PARAMETERS,
			values: form,
			axes: {
				x: { kind: 'range', parameterId: 'steps', start: 1, end: 11, step: 1 },
				y: { kind: 'range', parameterId: 'cfg', start: 1, end: 10, step: 1 }
			}
		});
		expect(big.ok && [big.total, big.needsConfirmation]).toEqual([110, true]);
		const exactly = expandBatch({ parameters: PARAMETERS, values: form, count: CONFIRM_ABOVE });
		expect(exactly.ok && exactly.needsConfirmation).toBe(false);
		const refused = expandBatch({
			parameters: PARAMETERS,
			values: form,
			count: 20,
			maxItems: 1000,
			axes: { x: { kind: 'range', parameterId: 'steps', start: 1, end: 100, step: 1 } }
		});
		expect(refused).toEqual({
			ok: false,
			issues: [
				{
					where: 'Batch',
					message:
						'This makes 2,000 runs; at most 1,000 can be queued at once. Use fewer values, a larger step or a smaller batch count.'
				}
			]
		});
	});

	it('refuses a parameter varied in two places and reports every axis problem at once', () => {
		const r = expandBatch({
			parameters: PARAMETERS,
			values: form,
			axes: {
				x: { kind: 'values', parameterId: 'steps', values: [1, 2] },
				y: { kind: 'values', parameterId: 'steps', values: [3] },
				z: { kind: 'replace', parameterId: 'prompt', search: 'zebra', values: ['horse'] }
			}
		});
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.issues.map((i) => i.where)).toEqual(['Y axis', 'Z axis']);
			expect(r.issues[0]!.message).toBe('Steps is already varied by the X axis. Vary it in one place.');
		}
	});
});

describe('expandBatch: lists and CSV', () => {
	it('runs one item per line of a list, crossed with an axis', () => {
		const rows = parseValueLines({ text: '1\n2', parameter: PARAMETERS[1]! });
		if (!rows.ok) throw new Error('bad list');
		const r = expandBatch({
			parameters: PARAMETERS,
			values: form,
			rows: rows.value,
			axes: { x: { kind: 'values', parameterId: 'steps', values: [10, 20] } }
		});
		expect(r.ok && r.items.map((i) => `${i.key}:${i.values.steps}/${i.values.seed}`)).toEqual([
			'z0-y0-x0-r0-n0:10/1',
			'z0-y0-x0-r1-n0:10/2',
			'z0-y0-x1-r0-n0:20/1',
			'z0-y0-x1-r1-n0:20/2'
		]);
	});

	it('takes several parameters per row from a CSV; empty cells keep the form value', () => {
		const rows = parseValueCsv({
			text: 'prompt,steps\n"a cat, sitting",12\n"a dog",',
			parameters: PARAMETERS
		});
		if (!rows.ok) throw new Error('bad csv');
		const r = expandBatch({ parameters: PARAMETERS, values: form, rows: rows.value });
		expect(r.ok && r.items.map((i) => [i.values.prompt, i.values.steps])).toEqual([
			['a cat, sitting', 12],
			['a dog', 20]
		]);
		const clash = expandBatch({
			parameters: PARAMETERS,
			values: form,
			rows: rows.value,
			axes: { x: { kind: 'values', parameterId: 'steps', values: [1] } }
		});
		expect(clash.ok).toBe(false);
	});

	it('gives items that become API prompts with applyParameters', () => {
		const api: ApiWorkflow = {
			'3': {
				class_type: 'KSampler',
				inputs: { seed: 0, steps: 1, cfg: 1, sampler: 'x', width: 1, hires: false }
			},
			'6': { class_type: 'CLIPTextEncode', inputs: { text: '' } }
		};
		const r = expandBatch({
			parameters: PARAMETERS,
			values: form,
			axes: { x: { kind: 'replace', parameterId: 'prompt', search: 'cat', values: ['owl'] } }
		});
		if (!r.ok) throw new Error('bad plan');
		const out = applyParameters({ api, parameters: PARAMETERS, values: r.items[0]!.values });
		expect(out.issues).toEqual([]);
		expect(out.api['6']!.inputs.text).toBe('a owl on a red sofa');
		expect(out.api['3']!.inputs).toMatchObject({ seed: 100, steps: 20, cfg: 7 });
	});
});

describe('describeItem', () => {
	it('labels an item by the values it sets, in parameter order, cutting long text', () => {
		const r = expandBatch({
			parameters: PARAMETERS,
			values: { ...form, prompt: `a cat ${'very '.repeat(20)}fluffy` },
			count: 2,
			seedMode: 'increment',
			axes: {
				x: { kind: 'values', parameterId: 'cfg', values: [5.5] },
				y: { kind: 'replace', parameterId: 'prompt', search: 'cat', values: ['dog'] }
			}
		});
		if (!r.ok) throw new Error('bad plan');
		expect(describeItem({ item: r.items[1]!, parameters: PARAMETERS })).toBe(
			'Prompt a dog very very very very very very ver… · Seed 101 · CFG 5.5'
		);
		expect(describeItem({ item: r.items[1]!, parameters: PARAMETERS, max: 20 })).toBe('Prompt a dog very v…');
	});
});
