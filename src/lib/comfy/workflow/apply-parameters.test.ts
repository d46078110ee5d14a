import { describe, expect, it } from 'vitest';
import { advanceSeeds, applyParameters, MAX_RANDOM_SEED, nextSeed } from './apply-parameters';
import type { ParameterDef } from './parameter-def';
import { zApiWorkflow } from './types';

const api = zApiWorkflow.parse({
	'1': { class_type: 'KSampler', inputs: { seed: 1, steps: 20, model: ['4', 0] } },
	'2': { class_type: 'KSampler', inputs: { seed: 2, steps: 20 } }
});

const seed: ParameterDef = {
	id: 'seed',
	label: 'Seed',
	kind: 'INT',
	group: 'Sampling',
	targets: [
		{ nodeId: '1', input: 'seed' },
		{ nodeId: '2', input: 'seed' }
	],
	default: 5,
	min: 0,
	max: 2 ** 64,
	required: true,
	hidden: false,
	seedMode: 'increment'
};
const steps: ParameterDef = {
	...seed,
	id: 'steps',
	label: 'Steps',
	targets: [{ nodeId: '1', input: 'steps' }],
	default: 30,
	seedMode: undefined
};

describe('applyParameters', () => {
	it('writes one value into every target and leaves the original alone', () => {
		const result = applyParameters({ api, parameters: [seed, steps], values: { seed: 42 } });
		expect(result.issues).toEqual([]);
		expect(result.api['1']?.inputs).toEqual({ seed: 42, steps: 30, model: ['4', 0] });
		expect(result.api['2']?.inputs).toEqual({ seed: 42, steps: 20 });
		expect(api['1']?.inputs.seed).toBe(1);
	});

	it('reports a target whose node is gone', () => {
		const gone = { ...steps, targets: [{ nodeId: '9', input: 'steps' }] };
		const result = applyParameters({ api, parameters: [gone], values: {} });
		expect(result.issues).toMatchObject([{ code: 'target-missing', nodeId: '9' }]);
		expect(result.issues[0]?.message).toContain('"Steps"');
	});

	it('ignores values of unknown parameters', () => {
		const result = applyParameters({ api, parameters: [], values: { constructor: 1 } });
		expect(result.api).toEqual(api);
	});
});

describe('seeds', () => {
	it('fixed keeps, increment adds one and wraps at max', () => {
		expect(nextSeed({ mode: 'fixed', current: 7 })).toBe(7);
		expect(nextSeed({ mode: 'increment', current: 7 })).toBe(8);
		expect(nextSeed({ mode: 'increment', current: 10, min: 3, max: 10 })).toBe(3);
		expect(nextSeed({ mode: 'increment', current: 1040111309094545, max: 2 ** 64 })).toBe(1040111309094546);
	});

	it('random stays within bounds and below 2^50', () => {
		expect(nextSeed({ mode: 'random', current: 0, random01: () => 0 })).toBe(0);
		expect(
			nextSeed({ mode: 'random', current: 0, max: 2 ** 64, random01: () => 0.9999999999 })
		).toBeLessThanOrEqual(MAX_RANDOM_SEED);
		expect(nextSeed({ mode: 'random', current: 0, min: 5, max: 6, random01: () => 0.99 })).toBe(6);
		const drawn = new Set(Array.from({ length: 20 }, () => nextSeed({ mode: 'random', current: 0 })));
		expect(drawn.size).toBeGreaterThan(15);
		for (const n of drawn) expect(Number.isSafeInteger(n)).toBe(true);
	});

	it('advanceSeeds moves only seed parameters', () => {
		expect(advanceSeeds({ parameters: [seed, steps], values: { seed: 9, steps: 4 } })).toEqual({
			seed: 10,
			steps: 4
		});
		expect(advanceSeeds({ parameters: [seed], values: {} })).toEqual({ seed: 6 });
	});
});
