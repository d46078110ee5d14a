// Test-only: a txt2img prompt with a checkpoint, a LoRA and a VAE, and servers that have some of them.
import type { ObjectInfo } from '../../workflow/object-info';
import { realObjectInfo } from '../../workflow/testing/fixtures';
import type { ApiWorkflow } from '../../workflow/types';

export const TXT2IMG: ApiWorkflow = {
	'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
	'5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
	'6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['10', 1] } },
	'7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['10', 1] } },
	'3': {
		class_type: 'KSampler',
		inputs: {
			seed: 1,
			steps: 20,
			cfg: 7,
			sampler_name: 'euler',
			scheduler: 'normal',
			denoise: 1,
			model: ['10', 0],
			positive: ['6', 0],
			negative: ['7', 0],
			latent_image: ['5', 0]
		}
	},
	'10': {
		class_type: 'LoraLoader',
		inputs: {
			lora_name: 'add_detail.safetensors',
			strength_model: 1,
			strength_clip: 1,
			model: ['4', 0],
			clip: ['4', 1]
		}
	},
	'11': { class_type: 'VAELoader', inputs: { vae_name: 'vae-ft-mse-840000-ema-pruned.safetensors' } },
	'8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['11', 0] } },
	'9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'grid' } }
};

/** The recorded object_info with these files in its loaders' lists (the recording had no models). */
export function objectInfoWith(files: {
	checkpoints?: string[];
	loras?: string[];
	vae?: string[];
}): ObjectInfo {
	const info = structuredClone(realObjectInfo());
	const set = (classType: string, input: string, options: string[]) => {
		const required = info[classType]!.input.required!;
		required[input] = [options, {}];
	};
	set('CheckpointLoaderSimple', 'ckpt_name', files.checkpoints ?? []);
	set('LoraLoader', 'lora_name', files.loras ?? []);
	set('VAELoader', 'vae_name', [...(files.vae ?? []), 'pixel_space']);
	return info;
}
