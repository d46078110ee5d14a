import { describe, expect, it } from 'vitest';
import { realObjectInfo } from '../workflow/testing/fixtures';
import { capabilitiesOf, describeModel, missingOn, modelFolderOf, requirementsOf } from './requirements';
import { objectInfoWith, TXT2IMG } from './testing/servers';

describe('requirementsOf', () => {
	it('lists node classes and the files named by model combos, with their folders', () => {
		const needs = requirementsOf({ api: TXT2IMG, objectInfo: realObjectInfo() });
		expect(needs.nodeClasses).toEqual([
			'CLIPTextEncode',
			'CheckpointLoaderSimple',
			'EmptyLatentImage',
			'KSampler',
			'LoraLoader',
			'SaveImage',
			'VAEDecode',
			'VAELoader'
		]);
		// Sampler names and schedulers are combos too, but not model files.
		expect(needs.models).toEqual([
			{
				nodeId: '4',
				classType: 'CheckpointLoaderSimple',
				input: 'ckpt_name',
				name: 'sd_xl_base_1.0.safetensors',
				folder: 'checkpoints'
			},
			{
				nodeId: '10',
				classType: 'LoraLoader',
				input: 'lora_name',
				name: 'add_detail.safetensors',
				folder: 'loras'
			},
			{
				nodeId: '11',
				classType: 'VAELoader',
				input: 'vae_name',
				name: 'vae-ft-mse-840000-ema-pruned.safetensors',
				folder: 'vae'
			}
		]);
	});

	it('counts a class it cannot read only as a node class', () => {
		const api = { '1': { class_type: 'MysteryLoader', inputs: { ckpt_name: 'x.safetensors' } } };
		expect(requirementsOf({ api, objectInfo: realObjectInfo() })).toEqual({
			nodeClasses: ['MysteryLoader'],
			models: []
		});
	});
});

describe('capabilities', () => {
	it('collects the files a server offers per folder and finds what it lacks', () => {
		const needs = requirementsOf({ api: TXT2IMG, objectInfo: realObjectInfo() });
		const full = capabilitiesOf({
			objectInfo: objectInfoWith({
				checkpoints: ['sd_xl_base_1.0.safetensors'],
				loras: ['add_detail.safetensors'],
				vae: ['vae-ft-mse-840000-ema-pruned.safetensors']
			})
		});
		expect(missingOn({ needs, capabilities: full })).toEqual({ nodeClasses: [], models: [] });
		const partial = capabilitiesOf({
			objectInfo: objectInfoWith({ checkpoints: ['sd_xl_base_1.0.safetensors'] }),
			// A /models/vae list the app read adds to what object_info shows.
			modelLists: { vae: ['vae-ft-mse-840000-ema-pruned.safetensors'] }
		});
		expect(missingOn({ needs, capabilities: partial }).models.map((m) => m.name)).toEqual([
			'add_detail.safetensors'
		]);
		const info = objectInfoWith({});
		delete info.LoraLoader;
		expect(missingOn({ needs, capabilities: capabilitiesOf({ objectInfo: info }) }).nodeClasses).toEqual([
			'LoraLoader'
		]);
	});

	it("takes a folder's model list over object_info's older combo for it", () => {
		const needs = requirementsOf({ api: TXT2IMG, objectInfo: realObjectInfo() });
		// object_info was read before the LoRA was deleted and the checkpoint added; /models was read since.
		const capabilities = capabilitiesOf({
			objectInfo: objectInfoWith({
				loras: ['add_detail.safetensors'],
				vae: ['vae-ft-mse-840000-ema-pruned.safetensors']
			}),
			modelLists: { checkpoints: ['sd_xl_base_1.0.safetensors'], loras: ['other.safetensors'] }
		});
		expect(missingOn({ needs, capabilities }).models.map(describeModel)).toEqual([
			'the LoRA add_detail.safetensors'
		]);
	});

	it('names folders and models in words', () => {
		expect(modelFolderOf({ classType: 'CLIPVisionLoader', input: 'clip_name' })).toBe('clip_vision');
		expect(modelFolderOf({ classType: 'DualCLIPLoader', input: 'clip_name2' })).toBe('text_encoders');
		expect(modelFolderOf({ classType: 'MyLoader', input: 'weights' })).toBe('MyLoader.weights');
		expect(describeModel({ folder: 'loras', name: 'a.safetensors' })).toBe('the LoRA a.safetensors');
		expect(describeModel({ folder: 'MyLoader.weights', name: 'w.bin' })).toBe(
			'the model w.bin (MyLoader.weights)'
		);
	});
});
