import { describe, expect, it } from 'vitest';
import { summarizeRun } from './run-summary';
import { txt2imgPrompt } from './testing/txt2img';
import type { ApiWorkflow } from './types';

// SD 1.5 txt2img as ComfyUI's frontend exports it (API format), with a folder in the checkpoint's name and a prompt
// that spreads over lines.
const txt2img = txt2imgPrompt({
	checkpoint: 'SD1.5/v1-5-pruned-emaonly.safetensors',
	height: 768,
	positive: 'beautiful   scenery\nnature glass bottle'
});

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
