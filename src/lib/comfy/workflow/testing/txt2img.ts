/** Test-only: the text-to-image prompt several suites build on, with what each test changes in it. */
import type { ApiWorkflow } from '../types';

/** What a test changes in the default prompt (anything left out stays as ComfyUI's default workflow has it). */
export interface Txt2imgChanges {
	seed?: number;
	cfg?: number;
	checkpoint?: string;
	width?: number;
	height?: number;
	positive?: string;
	negative?: string;
	/** A LoraLoader (node 10) between the checkpoint and the sampler and text encoders. */
	lora?: string;
	/** A VAELoader (node 11) that the decoder uses instead of the checkpoint's VAE. */
	vae?: string;
	filenamePrefix?: string;
}

/**
 * ComfyUI's default workflow (SD 1.5 text to image) in API format: with no changes, exactly the prompt the
 * recorded frontend makes of `workflows/ui/txt2img-default.json`.
 */
export function txt2imgPrompt(changes: Txt2imgChanges = {}): ApiWorkflow {
	const model: [string, number] = changes.lora ? ['10', 0] : ['4', 0];
	const clip: [string, number] = changes.lora ? ['10', 1] : ['4', 1];
	const workflow: ApiWorkflow = {
		'3': {
			class_type: 'KSampler',
			inputs: {
				seed: changes.seed ?? 156680208700286,
				steps: 20,
				cfg: changes.cfg ?? 8,
				sampler_name: 'euler',
				scheduler: 'normal',
				denoise: 1,
				model,
				positive: ['6', 0],
				negative: ['7', 0],
				latent_image: ['5', 0]
			}
		},
		'4': {
			class_type: 'CheckpointLoaderSimple',
			inputs: { ckpt_name: changes.checkpoint ?? 'v1-5-pruned-emaonly-fp16.safetensors' }
		},
		'5': {
			class_type: 'EmptyLatentImage',
			inputs: { width: changes.width ?? 512, height: changes.height ?? 512, batch_size: 1 }
		},
		'6': {
			class_type: 'CLIPTextEncode',
			inputs: {
				text: changes.positive ?? 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,',
				clip
			}
		},
		'7': { class_type: 'CLIPTextEncode', inputs: { text: changes.negative ?? 'text, watermark', clip } },
		'8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: changes.vae ? ['11', 0] : ['4', 2] } },
		'9': {
			class_type: 'SaveImage',
			inputs: { filename_prefix: changes.filenamePrefix ?? 'ComfyUI', images: ['8', 0] }
		}
	};
	if (changes.lora)
		workflow['10'] = {
			class_type: 'LoraLoader',
			inputs: {
				lora_name: changes.lora,
				strength_model: 1,
				strength_clip: 1,
				model: ['4', 0],
				clip: ['4', 1]
			}
		};
	if (changes.vae) workflow['11'] = { class_type: 'VAELoader', inputs: { vae_name: changes.vae } };
	return workflow;
}
