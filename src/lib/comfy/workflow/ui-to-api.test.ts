import { describe, expect, it } from 'vitest';
import { parseObjectInfo } from './object-info';
import { fixtureJson, realObjectInfo, uiWorkflowNames } from './testing/fixtures';
import { txt2imgPrompt } from './testing/txt2img';
import { zUiWorkflow, type ApiWorkflow, type UiWorkflow } from './types';
import { uiToApi } from './ui-to-api';

const objectInfo = realObjectInfo();

function fixture(name: string): UiWorkflow {
	return zUiWorkflow.parse(fixtureJson(`workflows/ui/${name}.json`));
}

function convert(ui: UiWorkflow, info = objectInfo) {
	const result = uiToApi({ ui, objectInfo: info });
	if (!result.ok) throw new Error(result.error.message);
	return result;
}

function api(name: string): ApiWorkflow {
	return convert(fixture(name)).api;
}

describe('prompts a real frontend sent', () => {
	it.each(['invert-png', 'slow-seed-webp'])('%s converts to exactly the recorded prompt', (name) => {
		const expected = fixtureJson(`images/${name}.expected.json`) as { prompt: unknown; workflow: unknown };
		const result = convert(zUiWorkflow.parse(expected.workflow));
		expect(result.api).toEqual(expected.prompt);
		expect(result.warnings).toEqual([]);
	});

	it('reports the control_after_generate setting it skipped', () => {
		const expected = fixtureJson('images/slow-seed-webp.expected.json') as { workflow: unknown };
		expect(convert(zUiWorkflow.parse(expected.workflow)).controls).toEqual([
			{ nodeId: '1', input: 'seed', mode: 'randomize' }
		]);
	});
});

describe('the 12 UI-format fixtures', () => {
	it.each(uiWorkflowNames())('%s converts without error or warning', (file) => {
		const result = uiToApi({ ui: zUiWorkflow.parse(fixtureJson(`workflows/ui/${file}`)), objectInfo });
		expect(result.ok && result.warnings).toEqual([]);
	});

	it('txt2img: legacy boolean in the control slot, widgets_values null gets the defaults', () => {
		const out = api('txt2img-default');
		// Every node as the frontend sends it: the sampler's seed before the skipped control slot, the save's prefix.
		expect(out).toEqual(txt2imgPrompt());
		expect(Object.keys(out)).toEqual(['3', '4', '5', '6', '7', '8', '9']);
	});

	it('img2img: the LoadImage upload slot is skipped', () => {
		expect(api('img2img')['10']?.inputs).toEqual({ image: 'example.png' });
		expect(api('img2img')['3']?.inputs.denoise).toBeCloseTo(0.87);
	});

	it('inpaint: a MASK from output slot 1, the note is dropped', () => {
		const out = api('inpaint-markdownnote');
		expect(out['26']?.inputs).toEqual({
			grow_mask_by: 6,
			pixels: ['20', 0],
			vae: ['29', 2],
			mask: ['20', 1]
		});
		expect(Object.values(out).map((n) => n.class_type)).not.toContain('MarkdownNote');
	});

	it('sdxl: primitives fan out, including into a widget of another name', () => {
		const out = api('sdxl-base-refiner-primitives-notes');
		expect(out['10']?.inputs).toMatchObject({ steps: 25, end_at_step: 20, noise_seed: 721897303308196 });
		expect(out['11']?.inputs).toMatchObject({ steps: 25, start_at_step: 20, end_at_step: 10000 });
		expect(out['15']?.inputs.text).toBe(
			'evening sunset scenery blue sky nature, glass bottle with a galaxy in it'
		);
		expect(out['16']?.inputs.text).toBe('text, watermark');
		expect(Object.values(out).some((n) => n.class_type === 'PrimitiveNode' || n.class_type === 'Note')).toBe(
			false
		);
		expect(out['10']?._meta).toEqual({ title: 'KSampler (Advanced) - BASE' });
	});

	it('cosmos: bypassed nodes pass their inputs through by type, slot index first', () => {
		const out = api('bypass-passthrough-cosmos-i2v');
		expect(out['3']?.inputs).toMatchObject({ model: ['37', 0], positive: ['42', 0], negative: ['7', 0] });
		expect(out['61']).toBeUndefined();
		expect(out['74']).toBeUndefined();
		expect(out['73']).toBeUndefined();
		expect(out['69']?.inputs.images).toEqual(['8', 0]);
	});

	it('hunyuan: the muted VAEDecode and the bypassed SaveWEBM are gone', () => {
		const out = api('muted-and-bypassed-hunyuan-i2v');
		expect(out['8']).toBeUndefined();
		expect(out['84']).toBeUndefined();
		expect(out['25']?.inputs).toEqual({ noise_seed: 187330947843879 });
		expect(out['13']?.inputs.latent_image).toEqual(['78', 1]);
	});

	it('legacy Reroute nodes: a branching chain resolves to the loader for both decoders', () => {
		const out = api('reroute-legacy-nodes-branching');
		expect(out['12']?.inputs).toEqual({ vae: ['4', 2] });
		expect(out['26']?.inputs).toEqual({ vae: ['4', 2] });
		expect(Object.keys(out).sort()).toEqual(['12', '26', '4']);
	});

	it('native reroutes convert like the plain default graph', () => {
		const native = api('reroute-native-default');
		const plain = api('txt2img-default');
		expect(native['6']?.inputs.clip).toEqual(['4', 1]);
		expect(Object.keys(native)).toEqual(Object.keys(plain));
	});

	it('lora chain: both LoRAs with their strengths', () => {
		const out = api('lora-multiple');
		expect(out['10']?.inputs).toEqual({
			lora_name: 'epiNoiseoffset_v2.safetensors',
			strength_model: 1,
			strength_clip: 1,
			model: ['11', 0],
			clip: ['11', 1]
		});
		expect(out['3']?.inputs.model).toEqual(['10', 0]);
	});

	it('hires fix: two samplers, the second at denoise 0.5', () => {
		const out = api('hires-fix-esrgan-upscale');
		expect(out['11']?.inputs).toMatchObject({ denoise: 0.5, latent_image: ['20', 0] });
		expect(out['24']?.inputs).toMatchObject({ upscale_method: 'bilinear', width: 1536, image: ['22', 0] });
	});

	it('legacy group node: expanded with the editor ids and its concatenated widget values', () => {
		const out = api('group-node-legacy-txt2img');
		expect(Object.keys(out)).toEqual(['10:0', '10:1', '10:2', '10:3', '10:4', '10:5', '10:6']);
		expect(out['10:4']?.inputs).toMatchObject({
			seed: 156680208700286,
			steps: 20,
			model: ['10:1', 0],
			positive: ['10:2', 0],
			latent_image: ['10:0', 0]
		});
		expect(out['10:6']?.inputs).toEqual({ filename_prefix: 'ComfyUI', images: ['10:5', 0] });
	});

	it('subgraph: inner nodes flattened, the promoted seed comes from the root PrimitiveInt', () => {
		const result = convert(fixture('subgraph-promoted-seed-primitive'));
		const out = result.api;
		expect(out['19:12']?.inputs).toMatchObject({
			seed: ['13', 0],
			positive: ['19:15', 0],
			scheduler: 'simple'
		});
		expect(out['19:15']?.inputs).toEqual({ text: '', clip: ['14', 0] });
		expect(out['19:16']?.inputs).toEqual({ samples: ['19:12', 0], vae: ['17', 0] });
		expect(out['18']?.inputs).toEqual({ images: ['19:16', 0] });
		expect(out['13']).toEqual({
			class_type: 'PrimitiveInt',
			inputs: { value: 0 },
			_meta: { title: 'Seed Int' }
		});
		expect(out['14']?.inputs.clip_name).toBeNull();
		expect(out['19']).toBeUndefined();
	});
});

describe('edge cases', () => {
	const tiny = parseObjectInfo({
		json: {
			Src: { input: { required: { seed: ['INT', {}] } }, output: ['IMAGE', 'LATENT'], output_node: false },
			Pick: {
				input: { required: { choice: [['a', 'b'], { control_after_generate: true }], n: ['INT', {}] } },
				output: ['IMAGE']
			},
			List: { input: { required: { list: ['STRING', {}] } }, output: [] },
			Out: { input: { required: { images: ['IMAGE'] } }, output: [], output_node: true },
			Pass: { input: { required: { a: ['LATENT'], b: ['IMAGE'] } }, output: ['IMAGE'] }
		}
	}).objectInfo;

	const node = (id: number, type: string, extra: Record<string, unknown> = {}) => ({
		id,
		type,
		mode: 0,
		...extra
	});

	it('drops a link through a bypassed node with no input of that type', () => {
		const ui = zUiWorkflow.parse({
			nodes: [
				node(1, 'Src', { widgets_values: [1, 'fixed'] }),
				node(2, 'Pass', {
					mode: 4,
					inputs: [
						{ name: 'a', type: 'LATENT', link: 1 },
						{ name: 'b', type: 'IMAGE', link: null }
					]
				}),
				node(3, 'Out', { inputs: [{ name: 'images', type: 'IMAGE', link: 2 }] })
			],
			links: [
				[1, 1, 1, 2, 0, 'LATENT'],
				[2, 2, 0, 3, 0, 'IMAGE']
			]
		});
		expect(convert(ui, tiny).api['3']?.inputs).toEqual({});
	});

	it('skips a combo control and its filter text', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'Pick', { widgets_values: ['b', 'increment', '', 7] })] });
		const result = convert(ui, tiny);
		expect(result.api['1']?.inputs).toEqual({ choice: 'b', n: 7 });
		expect(result.controls).toEqual([{ nodeId: '1', input: 'choice', mode: 'increment' }]);
	});

	it('wraps list widget values so the server does not read them as links', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'List', { widgets_values: [['x', 0]] })] });
		expect(convert(ui, tiny).api['1']?.inputs).toEqual({ list: { __value__: ['x', 0] } });
	});

	it('reads widgets saved by name', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'Src', { widgets_values: { seed: 5, other: 1 } })] });
		expect(convert(ui, tiny).api['1']?.inputs).toEqual({ seed: 5 });
	});

	it('warns when saved values do not fit the server definition', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'Src', { widgets_values: ['oops'] })] });
		const result = convert(ui, tiny);
		expect(result.warnings.map((w) => w.code)).toEqual(['widget-mismatch']);
		expect(result.warnings[0]?.message).toContain('"seed"');
	});

	it('keeps nodes of unknown classes (for the checker) and says their widgets were left out', () => {
		const ui = zUiWorkflow.parse({
			nodes: [
				node(1, 'Src'),
				node(2, 'FancyPack', { widgets_values: [1, 2], inputs: [{ name: 'x', type: 'IMAGE', link: 1 }] })
			],
			links: [[1, 1, 0, 2, 0, 'IMAGE']]
		});
		const result = convert(ui, tiny);
		expect(result.api['2']).toEqual({ class_type: 'FancyPack', inputs: { x: ['1', 0] } });
		expect(result.warnings[0]).toMatchObject({ code: 'unknown-class-widgets', classType: 'FancyPack' });
	});

	it('drops links to nodes that do not exist', () => {
		const ui = zUiWorkflow.parse({
			nodes: [node(3, 'Out', { inputs: [{ name: 'images', type: 'IMAGE', link: 9 }] })],
			links: [[9, 42, 0, 3, 0, 'IMAGE']]
		});
		expect(convert(ui, tiny).api['3']?.inputs).toEqual({});
	});

	it('fails clearly on a group node without definition', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'workflow>missing')] });
		const result = uiToApi({ ui, objectInfo: tiny });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.error).toMatchObject({ code: 'group-node-missing', nodeId: '1' });
	});

	it('fails clearly on a subgraph that contains itself', () => {
		const ui = zUiWorkflow.parse({
			nodes: [node(1, 'loop-sg')],
			definitions: { subgraphs: [{ id: 'loop-sg', nodes: [node(1, 'loop-sg')], links: [] }] }
		});
		const result = uiToApi({ ui, objectInfo: tiny });
		expect(!result.ok && result.error.code).toBe('subgraph-too-deep');
	});

	it('fails clearly on duplicate node ids', () => {
		const ui = zUiWorkflow.parse({ nodes: [node(1, 'Src'), node(1, 'Out')] });
		const result = uiToApi({ ui, objectInfo: tiny });
		expect(!result.ok && result.error.code).toBe('duplicate-node-id');
	});

	it('ignores dangerous node ids and input names', () => {
		const ui = zUiWorkflow.parse({
			nodes: [
				node(1, 'Src', { widgets_values: JSON.parse('{"seed": 1, "__proto__": {"polluted": true}}') }),
				{ id: '__proto__', type: 'Out', mode: 0 },
				node(3, 'Out', { inputs: [{ name: 'constructor', type: 'IMAGE', link: 1 }] })
			],
			links: [[1, 1, 0, 3, 0, 'IMAGE']]
		});
		const out = convert(ui, tiny).api;
		expect(Object.keys(out)).toEqual(['1', '3']);
		expect(Object.hasOwn(out['3']!.inputs, 'constructor')).toBe(false);
		expect(out['1']?.inputs).toEqual({ seed: 1 });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('tolerated oddities', () => {
	it('skips null holes in the links array', () => {
		const expected = fixtureJson('images/invert-png.expected.json') as {
			prompt: unknown;
			workflow: { links: unknown[] };
		};
		const ui = zUiWorkflow.parse({ ...expected.workflow, links: [null, ...expected.workflow.links, null] });
		expect(convert(ui).api).toEqual(expected.prompt);
	});
});
