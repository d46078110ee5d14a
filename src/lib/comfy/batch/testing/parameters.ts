// Parameters of a typical txt2img template, written out so the batch tests read without object_info.
import type { ParameterDef } from '../../workflow/parameter-def';

function def(p: Partial<ParameterDef> & Pick<ParameterDef, 'id' | 'label' | 'kind'>): ParameterDef {
	return {
		group: 'Sampling',
		targets: [{ nodeId: '3', input: p.id }],
		default: null,
		required: true,
		hidden: false,
		...p
	};
}

export const PROMPT = def({
	id: 'prompt',
	label: 'Prompt',
	kind: 'STRING',
	targets: [{ nodeId: '6', input: 'text' }],
	default: 'a cat on a red sofa, cat portrait',
	multiline: true,
	required: false
});
export const SEED = def({
	id: 'seed',
	label: 'Seed',
	kind: 'INT',
	default: 5,
	min: 0,
	max: 2 ** 50,
	seedMode: 'increment'
});
export const STEPS = def({ id: 'steps', label: 'Steps', kind: 'INT', default: 20, min: 1, max: 10000 });
export const CFG = def({ id: 'cfg', label: 'CFG', kind: 'FLOAT', default: 7, min: 0, max: 100, step: 0.1 });
export const SAMPLER = def({
	id: 'sampler',
	label: 'Sampler',
	kind: 'COMBO',
	default: 'euler',
	options: ['euler', 'euler_ancestral', 'dpmpp_2m']
});
export const WIDTH = def({
	id: 'width',
	label: 'Width',
	kind: 'INT',
	default: 512,
	min: 16,
	max: 8192,
	step: 8
});
export const HIRES = def({
	id: 'hires',
	label: 'Hires fix',
	kind: 'BOOLEAN',
	default: false,
	required: false
});

export const PARAMETERS: ParameterDef[] = [PROMPT, SEED, STEPS, CFG, SAMPLER, WIDTH, HIRES];
