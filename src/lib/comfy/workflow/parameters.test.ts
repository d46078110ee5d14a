import { describe, expect, it } from 'vitest';
import { importWorkflowFile } from './import-file';
import { zParameterDef, type ParameterDef } from './parameter-def';
import {
	detectParameters,
	makeParameter,
	parameterCandidates,
	refreshOptions,
	slug,
	topologicalOrder
} from './parameters';
import { fixtureBytes, realObjectInfo } from './testing/fixtures';
import { zApiWorkflow, type ApiWorkflow } from './types';
import type { WidgetControl } from './ui-to-api';

const objectInfo = realObjectInfo();

async function load(file: string): Promise<{ api: ApiWorkflow; controls: WidgetControl[] }> {
	const result = await importWorkflowFile({ name: file, bytes: fixtureBytes(file), objectInfo });
	if (!result.ok) throw new Error(result.error.message);
	return result;
}

async function detect(file: string): Promise<ParameterDef[]> {
	const { api, controls } = await load(`workflows/ui/${file}.json`);
	return detectParameters({ api, objectInfo, controls });
}

const summary = (ps: ParameterDef[]) =>
	ps.map((p) => `${p.id}=${p.targets.map((t) => `${t.nodeId}.${t.input}`).join('+')}`);

describe('detectParameters on real workflows', () => {
	it('txt2img: the classic form, in order', async () => {
		const ps = await detect('txt2img-default');
		expect(summary(ps)).toEqual([
			'prompt=6.text',
			'negative=7.text',
			'seed=3.seed',
			'steps=3.steps',
			'cfg=3.cfg',
			'sampler=3.sampler_name',
			'scheduler=3.scheduler',
			'denoise=3.denoise',
			'width=5.width',
			'height=5.height',
			'batch=5.batch_size',
			'checkpoint=4.ckpt_name'
		]);
		const byId = Object.fromEntries(ps.map((p) => [p.id, p]));
		expect(byId.prompt).toMatchObject({
			label: 'Prompt',
			kind: 'STRING',
			multiline: true,
			required: false,
			group: 'Prompt'
		});
		expect(byId.seed).toMatchObject({ kind: 'INT', min: 0, seedMode: 'random', default: 156680208700286 });
		expect(byId.cfg).toMatchObject({ kind: 'FLOAT', step: 0.1, round: 0.01, min: 0, max: 100 });
		expect(byId.sampler?.options).toContain('euler');
		expect(byId.checkpoint).toMatchObject({ kind: 'COMBO', modelList: true, required: true });
		for (const p of ps) expect(zParameterDef.safeParse(p).success).toBe(true);
	});

	it('sdxl: one prompt drives base and refiner encoders; the refiner gets its own labelled settings', async () => {
		const ps = await detect('sdxl-base-refiner-primitives-notes');
		expect(ps.find((p) => p.id === 'prompt')?.targets).toEqual([
			{ nodeId: '6', input: 'text' },
			{ nodeId: '15', input: 'text' }
		]);
		expect(ps.find((p) => p.id === 'seed_2')).toMatchObject({
			label: 'Seed (KSampler (Advanced) - REFINER)',
			seedMode: 'fixed'
		});
	});

	it('hunyuan: the prompt is found through guider, FluxGuidance and the image-to-video node', async () => {
		const ps = await detect('muted-and-bypassed-hunyuan-i2v');
		expect(summary(ps)).toEqual(
			expect.arrayContaining([
				'prompt=80.prompt',
				'seed=25.noise_seed',
				'image=83.image',
				'steps=17.steps',
				'width=78.width'
			])
		);
		expect(ps.find((p) => p.id === 'image')).toMatchObject({
			kind: 'IMAGE',
			group: 'Image',
			default: 'flux_dev_example.png'
		});
	});

	it('subgraph: the seed parameter sits on the PrimitiveInt feeding the sampler, with the sampler bounds', async () => {
		const ps = await detect('subgraph-promoted-seed-primitive');
		expect(ps.find((p) => p.id === 'seed')).toMatchObject({
			targets: [{ nodeId: '13', input: 'value' }],
			min: 0,
			seedMode: 'random'
		});
	});

	it('LoRAs: each with its strengths, numbered along the chain', async () => {
		const ps = await detect('lora-multiple');
		expect(ps.filter((p) => p.group === 'LoRA').map((p) => p.label)).toEqual([
			'LoRA',
			'LoRA strength',
			'LoRA CLIP strength',
			'LoRA 2',
			'LoRA 2 strength',
			'LoRA 2 CLIP strength'
		]);
	});

	it('hires fix: the second sampler has distinct ids and labels', async () => {
		const ps = await detect('hires-fix-esrgan-upscale');
		expect(ps.find((p) => p.id === 'denoise_2')).toMatchObject({
			label: 'Denoise (KSampler #11)',
			default: 0.5
		});
		expect(new Set(ps.map((p) => p.id)).size).toBe(ps.length);
		expect(new Set(ps.map((p) => p.label)).size).toBe(ps.length);
	});

	it('the WebP: the seed of a custom node with a seed control', async () => {
		const { api, controls } = await load('images/slow-seed-webp.webp');
		expect(summary(detectParameters({ api, objectInfo, controls }))).toEqual(['seed=1.seed']);
	});

	it('the PNG: a model-free EmptyImage source gets its size fields', async () => {
		const { api, controls } = await load('images/invert-png.png');
		expect(summary(detectParameters({ api, objectInfo, controls }))).toEqual([
			'width=1.width',
			'height=1.height',
			'batch=1.batch_size'
		]);
	});
});

describe('title markers', () => {
	const api = zApiWorkflow.parse({
		'1': {
			class_type: 'EmptyImage',
			inputs: { width: 64, height: 48, batch_size: 1, color: 0 },
			_meta: { title: 'deck: Canvas' }
		},
		'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
		'3': {
			class_type: 'SaveImage',
			inputs: { images: ['2', 0], filename_prefix: 'x' },
			_meta: { title: 'Deck:' }
		}
	});

	it('expose every widget of a marked node, grouped by the rest of the title', () => {
		const ps = detectParameters({ api, objectInfo });
		expect(ps.map((p) => [p.id, p.label, p.group])).toEqual([
			['canvas_width', 'Width', 'Canvas'],
			['canvas_height', 'Height', 'Canvas'],
			['canvas_batch_size', 'Batch size', 'Canvas'],
			['canvas_color', 'Color', 'Canvas'],
			['node_3_filename_prefix', 'Filename prefix', 'Node 3']
		]);
	});

	it('accept other markers', () => {
		// "deck:" is no marker here: only the plain size fields of the EmptyImage source are found.
		const ps = detectParameters({ api, objectInfo, markers: ['form:'] });
		expect(ps.map((p) => p.id)).toEqual(['width', 'height', 'batch']);
	});
});

describe('candidates and single parameters', () => {
	it('offers every other widget as a hidden parameter with a unique id', async () => {
		const { api } = await load('workflows/ui/txt2img-default.json');
		const existing = detectParameters({ api, objectInfo });
		const more = parameterCandidates({ api, objectInfo, existing });
		expect(more.map((p) => p.id)).toEqual(['n9_filename_prefix']);
		expect(more[0]).toMatchObject({ hidden: true, group: 'Save Image #9', kind: 'STRING' });
	});

	it('makes one parameter for one input, and none for a link', async () => {
		const { api } = await load('workflows/ui/txt2img-default.json');
		expect(
			makeParameter({ api, objectInfo, nodeId: '3', input: 'steps', id: 'steps', label: 'Steps' })
		).toMatchObject({ kind: 'INT', default: 20 });
		expect(
			makeParameter({ api, objectInfo, nodeId: '3', input: 'model', id: 'm', label: 'M' })
		).toBeUndefined();
		expect(makeParameter({ api, objectInfo, nodeId: '99', input: 'x', id: 'm', label: 'M' })).toBeUndefined();
	});
});

describe('helpers', () => {
	it('slug makes URL-safe ids', () => {
		expect(slug('LoRA 2 strength')).toBe('lora_2_strength');
		expect(slug('<script>')).toBe('script');
		expect(slug('日本')).toBe('param');
	});

	it('orders sources before users', () => {
		const api = zApiWorkflow.parse({
			'10': { class_type: 'A', inputs: { x: ['2', 0] } },
			'2': { class_type: 'B', inputs: {} },
			'3': { class_type: 'C', inputs: { y: ['10', 0] } }
		});
		expect(topologicalOrder(api)).toEqual(['2', '10', '3']);
	});
});

describe('refreshOptions', () => {
	it('re-reads model lists from a newer object_info', async () => {
		const { api } = await load('workflows/ui/txt2img-default.json');
		const ps = detectParameters({ api, objectInfo });
		const fresh = structuredClone(objectInfo);
		fresh.CheckpointLoaderSimple!.input.required!.ckpt_name = [['new.safetensors'], {}];
		const refreshed = refreshOptions({ parameters: ps, api, objectInfo: fresh });
		expect(refreshed.find((p) => p.id === 'checkpoint')?.options).toEqual(['new.safetensors']);
		expect(refreshed.find((p) => p.id === 'steps')).toBe(ps.find((p) => p.id === 'steps'));
	});
});

describe('detectParameters on hostile titles', () => {
	it('keeps at most 200 characters of a node title as label and group, so the template stays valid', () => {
		const title = `<img src=x onerror=alert(1)> ${'x'.repeat(5000)}`;
		const api: ApiWorkflow = {
			'1': {
				class_type: 'EmptyImage',
				inputs: { width: 64, height: 64, batch_size: 1, color: 0 },
				_meta: { title: `deck: ${title}` }
			},
			'2': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', images: ['1', 0] }, _meta: { title } }
		};
		const ps = detectParameters({ api, objectInfo });
		expect(ps.length).toBeGreaterThan(0);
		for (const p of ps) {
			expect(zParameterDef.safeParse(p).success).toBe(true);
			expect(p.group.length).toBeLessThanOrEqual(200);
			expect(p.label.length).toBeLessThanOrEqual(200);
		}
		expect(ps[0]?.group).toBe(`${title.slice(0, 199)}…`);
	});
});
