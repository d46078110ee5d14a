import { describe, expect, it } from 'vitest';
import { decimalsOf, rangeValues, resolveAxis } from './axes';
import { CFG, PARAMETERS, PROMPT, SAMPLER, STEPS } from './testing/parameters';

const values = { prompt: 'a cat on a red sofa, cat portrait' };

describe('rangeValues', () => {
	it('steps in floats without drift, end included', () => {
		const r = rangeValues({ start: 0, end: 1, step: 0.1, limit: 100 });
		expect(r).toEqual({ ok: true, values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] });
		// Naive accumulation gives 0.30000000000000004 and 0.7999999999999999 here.
		expect(rangeValues({ start: 0.15, end: 0.55, step: 0.05, limit: 100 })).toEqual({
			ok: true,
			values: [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55]
		});
	});

	it('stops before an end that is not on a step, and counts down when end < start', () => {
		expect(rangeValues({ start: 4, end: 10, step: 4, limit: 100 })).toEqual({ ok: true, values: [4, 8] });
		expect(rangeValues({ start: 1, end: 0.5, step: 0.25, limit: 100 })).toEqual({
			ok: true,
			values: [1, 0.75, 0.5]
		});
		expect(rangeValues({ start: 1, end: 0.5, step: -0.25, limit: 100 })).toEqual({
			ok: true,
			values: [1, 0.75, 0.5]
		});
	});

	it('refuses a zero step and a range past the limit', () => {
		expect(rangeValues({ start: 0, end: 1, step: 0, limit: 100 })).toEqual({
			ok: false,
			message: 'The step must not be 0.'
		});
		const long = rangeValues({ start: 0, end: 1, step: 0.0001, limit: 10_000 });
		expect(long).toEqual({ ok: false, message: expect.stringContaining('makes 10,001 values') });
	});

	it('counts decimals of plain and exponent notation', () => {
		expect([decimalsOf(3), decimalsOf(0.05), decimalsOf(1e-7), decimalsOf(1.5e-3)]).toEqual([0, 2, 7, 4]);
	});
});

describe('resolveAxis', () => {
	const resolve = (spec: Parameters<typeof resolveAxis>[0]['spec']) =>
		resolveAxis({ name: 'x', spec, parameters: PARAMETERS, values, limit: 1000 });

	it('types a list of values and labels them', () => {
		const r = resolve({ kind: 'values', parameterId: 'steps', values: ['10', 20, ' 30'] });
		expect(r).toEqual({
			ok: true,
			axis: {
				name: 'x',
				parameterId: 'steps',
				title: STEPS.label,
				kind: 'values',
				entries: [
					{ label: '10', value: 10 },
					{ label: '20', value: 20 },
					{ label: '30', value: 30 }
				]
			}
		});
	});

	it('checks range values against the parameter (steps of 8 for a width)', () => {
		const ok = resolve({ kind: 'range', parameterId: 'width', start: 512, end: 768, step: 128 });
		expect(ok.ok && ok.axis.entries.map((e) => e.value)).toEqual([512, 640, 768]);
		const bad = resolve({ kind: 'range', parameterId: 'width', start: 500, end: 520, step: 10 });
		expect(bad).toEqual({
			ok: false,
			issues: [{ where: 'X axis', message: '500: Must be a multiple of 8 (for example 504).' }]
		});
		expect(resolve({ kind: 'range', parameterId: 'prompt', start: 0, end: 1, step: 1 }).ok).toBe(false);
		expect(resolve({ kind: 'range', parameterId: 'cfg', start: 5, end: 6, step: 0.5 })).toMatchObject({
			ok: true,
			axis: { title: CFG.label, entries: [{ value: 5 }, { value: 5.5 }, { value: 6 }] }
		});
	});

	it('refuses a choice the parameter does not offer, naming the value', () => {
		const r = resolve({ kind: 'choices', parameterId: 'sampler', choices: ['euler', 'ddim'] });
		expect(r).toEqual({
			ok: false,
			issues: [{ where: 'X axis, value 2', message: '"ddim": "ddim" is not one of the choices.' }]
		});
		expect(resolve({ kind: 'choices', parameterId: 'sampler', choices: SAMPLER.options! }).ok).toBe(true);
	});

	it('replaces every occurrence of the word in the prompt', () => {
		const r = resolve({ kind: 'replace', parameterId: 'prompt', search: 'cat', values: ['cat', 'dog'] });
		expect(r.ok && r.axis.entries).toEqual([
			{ label: 'cat', value: 'a cat on a red sofa, cat portrait' },
			{ label: 'dog', value: 'a dog on a red sofa, dog portrait' }
		]);
	});

	it('says so when the word to replace is not in the prompt, rather than running the same prompt', () => {
		const r = resolve({ kind: 'replace', parameterId: 'prompt', search: 'Cat', values: ['dog'] });
		expect(r).toEqual({
			ok: false,
			issues: [
				{
					where: 'X axis',
					message:
						'"Cat" is not in Prompt, so replacing it would change nothing. Type a word that is in the text (capitals count), or pick another parameter.'
				}
			]
		});
		// The default prompt is used when the form holds none.
		const fromDefault = resolveAxis({
			name: 'y',
			spec: { kind: 'replace', parameterId: 'prompt', search: 'sofa', values: ['bed'] },
			parameters: PARAMETERS,
			values: {},
			limit: 10
		});
		expect(fromDefault.ok && fromDefault.axis.entries[0]!.value).toBe(
			PROMPT.default!.toString().replace('sofa', 'bed')
		);
		expect(resolve({ kind: 'replace', parameterId: 'steps', search: '2', values: ['3'] }).ok).toBe(false);
	});

	it('names an unknown parameter', () => {
		expect(resolve({ kind: 'values', parameterId: 'nope', values: [1] })).toEqual({
			ok: false,
			issues: [{ where: 'X axis', message: '"nope" is not a parameter of this template.' }]
		});
	});
});
