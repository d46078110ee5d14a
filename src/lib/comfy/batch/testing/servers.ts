// Test-only: a txt2img prompt with a checkpoint, a LoRA and a VAE, and servers that have some of them.
import type { ObjectInfo } from '../../workflow/object-info';
import { realObjectInfo } from '../../workflow/testing/fixtures';
import { txt2imgPrompt } from '../../workflow/testing/txt2img';

export const TXT2IMG = txt2imgPrompt({
	seed: 1,
	cfg: 7,
	checkpoint: 'sd_xl_base_1.0.safetensors',
	positive: 'a cat',
	negative: '',
	lora: 'add_detail.safetensors',
	vae: 'vae-ft-mse-840000-ema-pruned.safetensors',
	filenamePrefix: 'grid'
});

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
