import { describe, expect, it } from 'vitest';
import { summarizeRun } from './run-summary';
import type { ApiWorkflow } from './types';

// SD 1.5 txt2img as ComfyUI's frontend exports it (API format).
const txt2img: ApiWorkflow = {
	'3': {
		class_type: 'KSampler',
		inputs: {
			seed: 156680208700286,
			steps: 20,
			cfg: 8,
			sampler_name: 'euler',
			scheduler: 'normal',
			denoise: 1,
			model: ['4', 0],
			positive: ['6', 0],
			negative: ['7', 0],
			latent_image: ['5', 0]
		}
	},
	'4': {
		class_type: 'CheckpointLoaderSimple',
		inputs: { ckpt_name: 'SD1.5/v1-5-pruned-emaonly.safetensors' }
	},
	'5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
	'6': {
		class_type: 'CLIPTextEncode',
		inputs: { text: 'beautiful   scenery\nnature glass bottle', clip: ['4', 1] }
	},
	'7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['4', 1] } }
};

describe('summarizeRun', () => {
	it('reads prompt, seed, size and model from a txt2img workflow', () => {
		expect(summarizeRun({ workflow: txt2img })).toEqual({
			prompt: 'beautiful scenery nature glass bottle',
			seed: 156680208700286,
			width: 512,
			height: 768,
			model: 'v1-5-pruned-emaonly'
		});
	});

	it('follows links: a prompt through a ControlNet apply, a seed from a primitive node', () => {
		const workflow: ApiWorkflow = {
			...txt2img,
			'3': { ...txt2img['3']!, inputs: { ...txt2img['3']!.inputs, seed: ['9', 0], positive: ['8', 0] } },
			'8': { class_type: 'ControlNetApply', inputs: { conditioning: ['6', 0], strength: 1 } },
			'9': { class_type: 'PrimitiveInt', inputs: { value: 42 } }
		};
		const summary = summarizeRun({ workflow });
		expect(summary.prompt).toBe('beautiful scenery nature glass bottle');
		expect(summary.seed).toBe(42);
	});

	it('cuts a long prompt and says nothing it does not know', () => {
		const long = 'word '.repeat(100);
		const summary = summarizeRun({
			workflow: { '1': { class_type: 'PrimitiveStringMultiline', inputs: { value: long } } }
		});
		expect(summary.prompt).toHaveLength(160);
		expect(summary.prompt?.endsWith('…')).toBe(true);
		expect(summarizeRun({ workflow: {} })).toEqual({});
	});
});
