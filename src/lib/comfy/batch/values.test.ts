import { describe, expect, it } from 'vitest';
import { CFG, HIRES, PARAMETERS, PROMPT, SAMPLER, SEED, WIDTH } from './testing/parameters';
import { coerceValue, parseValueCsv, parseValueLines } from './values';

describe('coerceValue', () => {
	it('parses text for the parameter kind', () => {
		expect(coerceValue({ parameter: SEED, raw: ' 42 ' })).toEqual({ ok: true, value: 42 });
		expect(coerceValue({ parameter: CFG, raw: '6.5' })).toEqual({ ok: true, value: 6.5 });
		expect(coerceValue({ parameter: HIRES, raw: 'Yes' })).toEqual({ ok: true, value: true });
		expect(coerceValue({ parameter: HIRES, raw: 'off' })).toEqual({ ok: true, value: false });
		expect(coerceValue({ parameter: SAMPLER, raw: 'dpmpp_2m' })).toEqual({ ok: true, value: 'dpmpp_2m' });
		// Prompt text keeps its spaces.
		expect(coerceValue({ parameter: PROMPT, raw: ' a dog ' })).toEqual({ ok: true, value: ' a dog ' });
	});

	it('says what is wrong with a bad value', () => {
		expect(coerceValue({ parameter: SEED, raw: 'abc' })).toEqual({
			ok: false,
			message: '"abc" is not a whole number.'
		});
		expect(coerceValue({ parameter: SEED, raw: '1.5' })).toEqual({
			ok: false,
			message: '"1.5": Enter a whole number.'
		});
		expect(coerceValue({ parameter: WIDTH, raw: '500' })).toEqual({
			ok: false,
			message: '"500": Must be a multiple of 8 (for example 504).'
		});
		expect(coerceValue({ parameter: SAMPLER, raw: 'ddim' })).toEqual({
			ok: false,
			message: '"ddim": "ddim" is not one of the choices.'
		});
		expect(coerceValue({ parameter: HIRES, raw: 'maybe' }).ok).toBe(false);
	});
});

describe('parseValueLines', () => {
	it('makes one row per non-blank line', () => {
		expect(parseValueLines({ text: '1\n\n2\r\n3\n', parameter: SEED })).toEqual({
			ok: true,
			value: { parameterIds: ['seed'], rows: [{ seed: 1 }, { seed: 2 }, { seed: 3 }] }
		});
	});

	it('reports every bad line by its number and keeps nothing half read', () => {
		expect(parseValueLines({ text: '1\nx\n3\n-2', parameter: SEED })).toEqual({
			ok: false,
			issues: [
				{ where: 'Line 2', message: '"x" is not a whole number.' },
				{ where: 'Line 4', message: '"-2": Must be at least 0.' }
			]
		});
	});

	it('refuses an empty list', () => {
		expect(parseValueLines({ text: '\n \n', parameter: SEED }).ok).toBe(false);
	});
});

describe('parseValueCsv', () => {
	it('maps header columns to parameters by id or label and types every cell', () => {
		const text = 'Prompt,seed,CFG\n"a cat, sitting",1,7.5\n"a dog",2,\n';
		expect(parseValueCsv({ text, parameters: PARAMETERS })).toEqual({
			ok: true,
			value: {
				parameterIds: ['prompt', 'seed', 'cfg'],
				rows: [
					{ prompt: 'a cat, sitting', seed: 1, cfg: 7.5 },
					// An empty cell keeps the form's value.
					{ prompt: 'a dog', seed: 2 }
				]
			}
		});
	});

	it('names an unknown column and lists the parameters it could be', () => {
		const r = parseValueCsv({ text: 'prompt,sede\nx,1', parameters: PARAMETERS });
		expect(r).toEqual({
			ok: false,
			issues: [
				{
					where: 'CSV column 2',
					message:
						'"sede" is not a parameter of this template. Name the column after one of: prompt, seed, steps, cfg, sampler, width, hires.'
				}
			]
		});
	});

	it('reports rows with the wrong number of fields and bad cells', () => {
		const r = parseValueCsv({ text: 'prompt,seed\na cat, sitting,1\nx,y', parameters: PARAMETERS });
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.issues.map((i) => i.where)).toEqual(['CSV row 1', 'CSV row 2, Seed']);
			expect(r.issues[0]!.message).toContain('Quote fields that contain the separator');
		}
	});

	it('refuses a column named twice and a broken quote', () => {
		expect(parseValueCsv({ text: 'seed,Seed\n1,2', parameters: PARAMETERS }).ok).toBe(false);
		const broken = parseValueCsv({ text: 'prompt\n"a cat', parameters: PARAMETERS });
		expect(broken).toEqual({
			ok: false,
			issues: [{ where: 'CSV', message: expect.stringContaining('never closes') }]
		});
	});
});
