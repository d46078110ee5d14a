import { describe, expect, it } from 'vitest';
import type { Template } from '$lib/comfy/workflow';
import { folderOfInput, modelSlots, modelUsage, withModel } from './models-usage';

// A stored template as the template core writes it (zTemplate): an API workflow plus form parameters.
const portrait: Template = {
	version: 1,
	id: 'portrait',
	createdAt: 1,
	name: 'Portrait',
	updatedAt: 1,
	api: {
		'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
		'10': {
			class_type: 'LoraLoader',
			inputs: { lora_name: 'gone.safetensors', model: ['4', 0], clip: ['4', 1], strength_model: 1 },
			_meta: { title: 'Style LoRA' }
		},
		'6': { class_type: 'CLIPTextEncode', inputs: { text: 'a portrait', clip: ['10', 1] } }
	},
	parameters: [
		{
			id: 'checkpoint',
			label: 'Checkpoint',
			kind: 'COMBO',
			group: 'Model',
			targets: [{ nodeId: '4', input: 'ckpt_name' }],
			default: 'sd_xl_base_1.0.safetensors',
			options: ['sd_xl_base_1.0.safetensors'],
			modelList: true,
			required: true,
			hidden: false
		}
	]
};
const upscale: Template = {
	version: 1,
	id: 'upscale',
	createdAt: 1,
	parameters: [],
	name: 'Upscale',
	updatedAt: 1,
	api: {
		'1': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'RealESRGAN_x4plus.pth' } },
		'2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sub\\sd_xl_base_1.0.safetensors' } }
	}
};
const checkpoints = {
	folder: 'checkpoints',
	files: ['sd_xl_base_1.0.safetensors', 'sub/sd_xl_base_1.0.safetensors']
};
const loras = { folder: 'loras', files: ['add_detail.safetensors'] };
const upscalers = { folder: 'upscale_models', files: ['RealESRGAN_x4plus.pth'] };

describe('modelUsage', () => {
	it('lists the templates naming each file, across path separators', () => {
		const usage = modelUsage({ templates: [portrait, upscale], folders: [checkpoints, loras, upscalers] });
		expect(usage.get('checkpoints/sd_xl_base_1.0.safetensors')?.map((s) => s.templateName)).toEqual([
			'Portrait'
		]);
		// A template made on a Windows server names `sub\file`; this server lists `sub/file`.
		expect(usage.get('checkpoints/sub/sd_xl_base_1.0.safetensors')?.map((s) => s.templateName)).toEqual([
			'Upscale'
		]);
		expect(usage.get('upscale_models/RealESRGAN_x4plus.pth')?.[0]).toMatchObject({
			nodeId: '1',
			input: 'model_name'
		});
		expect(usage.has('loras/add_detail.safetensors')).toBe(false);
	});
});

describe('modelSlots', () => {
	it('finds loader inputs of the folder even when their file is missing here, labelled by the form field', () => {
		expect(modelSlots({ template: portrait, folder: loras })).toEqual([
			expect.objectContaining({
				nodeId: '10',
				input: 'lora_name',
				label: 'Style LoRA · lora_name',
				current: 'gone.safetensors'
			})
		]);
		expect(modelSlots({ template: portrait, folder: checkpoints })).toEqual([
			expect.objectContaining({ nodeId: '4', label: 'Checkpoint', parameterIds: ['checkpoint'] })
		]);
		expect(modelSlots({ template: portrait, folder: upscalers })).toEqual([]);
	});

	it('maps the inputs ComfyUI shares between folders by node class', () => {
		expect(folderOfInput({ classType: 'CLIPVisionLoader', input: 'clip_name' })).toBe('clip_vision');
		expect(folderOfInput({ classType: 'DualCLIPLoader', input: 'clip_name2' })).toBe('text_encoders');
		expect(folderOfInput({ classType: 'LatentUpscaleModelLoader', input: 'model_name' })).toBe(
			'latent_upscale_models'
		);
	});

	it('reads a template without parameters or workflow without throwing', () => {
		const broken = { id: 'x', name: 'X', updatedAt: 0 } as Template;
		expect(modelSlots({ template: broken, folder: checkpoints })).toEqual([]);
	});
});

describe('withModel', () => {
	it('sets the input and the default of the form field writing it, leaving the original untouched', () => {
		const next = withModel({
			template: portrait,
			nodeId: '4',
			input: 'ckpt_name',
			file: 'v1-5.safetensors',
			now: 99
		});
		expect((next.api as Record<string, { inputs: Record<string, unknown> }>)['4']?.inputs.ckpt_name).toBe(
			'v1-5.safetensors'
		);
		expect((next.parameters as { default: unknown; options: unknown[] }[])[0]).toMatchObject({
			default: 'v1-5.safetensors',
			options: ['sd_xl_base_1.0.safetensors', 'v1-5.safetensors']
		});
		expect(next.updatedAt).toBe(99);
		expect((portrait.api as Record<string, { inputs: Record<string, unknown> }>)['4']?.inputs.ckpt_name).toBe(
			'sd_xl_base_1.0.safetensors'
		);
	});

	it('says so when the node is gone', () => {
		expect(() =>
			withModel({ template: portrait, nodeId: '99', input: 'ckpt_name', file: 'a', now: 1 })
		).toThrow(/Node 99 is not in template "Portrait"/);
	});
});
