import { describe, expect, it } from 'vitest';
import {
	defaultWidgetValue,
	getClassInputs,
	getNodeDef,
	getOutputTypes,
	isModelInput,
	normalizeInputSpec,
	parseObjectInfo,
	type ObjectInfo
} from './object-info';
import { fixtureJson, realObjectInfo } from './testing/fixtures';

const objectInfo = realObjectInfo();

function inputs(classType: string) {
	const specs = getClassInputs({ objectInfo, classType });
	if (!specs) throw new Error(`no ${classType}`);
	return specs;
}

describe('parseObjectInfo', () => {
	it('parses every class of the real server', () => {
		const raw = fixtureJson('object_info.json') as Record<string, unknown>;
		const { objectInfo: parsed, skipped } = parseObjectInfo({ json: raw });
		expect(skipped).toEqual([]);
		expect(Object.keys(parsed)).toHaveLength(Object.keys(raw).length);
	});

	it('skips a malformed class instead of losing the others', () => {
		const { objectInfo: parsed, skipped } = parseObjectInfo({
			json: { Good: { input: {}, output: [] }, Bad: { input: 'nope' }, Worse: 42 }
		});
		expect(Object.keys(parsed)).toEqual(['Good']);
		expect(skipped).toEqual(['Bad', 'Worse']);
	});

	it('never looks up inherited properties', () => {
		expect(getNodeDef({ objectInfo, classType: 'constructor' })).toBeUndefined();
		expect(getNodeDef({ objectInfo, classType: 'toString' })).toBeUndefined();
		expect(getNodeDef({ objectInfo, classType: 'KSampler' })?.name).toBe('KSampler');
	});
});

describe('getClassInputs', () => {
	it('lists KSampler inputs in widget order with seed control', () => {
		const specs = inputs('KSampler');
		expect(specs.map((s) => s.name)).toEqual([
			'model',
			'seed',
			'steps',
			'cfg',
			'sampler_name',
			'scheduler',
			'positive',
			'negative',
			'latent_image',
			'denoise'
		]);
		const seed = specs.find((s) => s.name === 'seed');
		expect(seed).toMatchObject({
			kind: 'INT',
			isWidget: true,
			controlAfterGenerate: true,
			extraWidgetSlots: 1,
			min: 0
		});
		expect(specs.find((s) => s.name === 'cfg')).toMatchObject({
			kind: 'FLOAT',
			step: 0.1,
			round: 0.01,
			default: 8
		});
		expect(specs.find((s) => s.name === 'model')).toMatchObject({
			kind: 'LINK',
			isWidget: false,
			type: 'MODEL'
		});
		const sampler = specs.find((s) => s.name === 'sampler_name');
		expect(sampler?.kind).toBe('COMBO');
		expect(sampler?.options).toContain('euler');
	});

	it('reads new-style combos ["COMBO", {options}]', () => {
		const scheduler = inputs('BasicScheduler').find((s) => s.name === 'scheduler');
		expect(scheduler).toMatchObject({ kind: 'COMBO', type: 'COMBO', isWidget: true });
		expect(scheduler?.options).toContain('karras');
	});

	it('marks multiline strings and the LoadImage upload slot', () => {
		expect(inputs('CLIPTextEncode')[0]).toMatchObject({
			name: 'text',
			kind: 'STRING',
			multiline: true,
			dynamicPrompts: true
		});
		expect(inputs('LoadImage')[0]).toMatchObject({ name: 'image', upload: 'image', extraWidgetSlots: 1 });
	});

	it('gives noise_seed the control widget and respects an explicit false', () => {
		expect(inputs('RandomNoise')[0]?.controlAfterGenerate).toBe(true);
		expect(inputs('KSamplerAdvanced').find((s) => s.name === 'noise_seed')?.controlAfterGenerate).toBe(true);
		expect(
			inputs('MoonvalleyVideo2VideoNode').find((s) => s.name === 'seed')?.controlAfterGenerate
		).toBeUndefined();
		expect(inputs('PrimitiveInt')[0]?.controlAfterGenerate).toBe(true);
	});

	it('puts optional inputs after required ones', () => {
		expect(inputs('TestSlowImage').map((s) => `${s.section}:${s.name}`)).toEqual([
			'required:width',
			'required:height',
			'required:steps',
			'required:seconds_per_step',
			'required:seed',
			'optional:preview_format',
			'optional:send_previews'
		]);
	});

	it('treats forceInput primitives as sockets', () => {
		const spec = normalizeInputSpec({ name: 'x', raw: ['INT', { forceInput: true }] });
		expect(spec).toMatchObject({ kind: 'INT', isWidget: false });
	});

	it('returns undefined for an unknown class', () => {
		expect(getClassInputs({ objectInfo, classType: 'NoSuchNode' })).toBeUndefined();
	});

	it('uses the declared order when input_order is missing', () => {
		const info: ObjectInfo = parseObjectInfo({
			json: { N: { input: { required: { b: ['INT'], a: [['x', 'y']] } }, output: ['INT'] } }
		}).objectInfo;
		expect(getClassInputs({ objectInfo: info, classType: 'N' })?.map((s) => s.name)).toEqual(['b', 'a']);
	});
});

describe('defaults and model inputs', () => {
	it('gives a widget the editor default', () => {
		const [width, , , color] = inputs('EmptyImage');
		expect(defaultWidgetValue({ spec: width! })).toBe(512);
		expect(defaultWidgetValue({ spec: color! })).toBe(0);
		expect(defaultWidgetValue({ spec: normalizeInputSpec({ name: 'c', raw: [['a', 'b']] }) })).toBe('a');
		expect(defaultWidgetValue({ spec: normalizeInputSpec({ name: 's', raw: ['STRING'] }) })).toBe('');
	});

	it('recognises model lists', () => {
		const model = (cls: string, name: string) => {
			const nodeDef = getNodeDef({ objectInfo, classType: cls })!;
			return isModelInput({ nodeDef, spec: inputs(cls).find((s) => s.name === name)! });
		};
		expect(model('CheckpointLoaderSimple', 'ckpt_name')).toBe(true);
		expect(model('LoraLoader', 'lora_name')).toBe(true);
		expect(model('VAELoader', 'vae_name')).toBe(true);
		expect(model('UNETLoader', 'unet_name')).toBe(true);
		expect(model('UNETLoader', 'weight_dtype')).toBe(false);
		expect(model('CLIPLoader', 'type')).toBe(false);
		expect(model('KSampler', 'sampler_name')).toBe(false);
		expect(model('LoadImage', 'image')).toBe(false);
	});

	it('lists output types', () => {
		expect(
			getOutputTypes({ nodeDef: getNodeDef({ objectInfo, classType: 'CheckpointLoaderSimple' })! })
		).toEqual(['MODEL', 'CLIP', 'VAE']);
	});
});
