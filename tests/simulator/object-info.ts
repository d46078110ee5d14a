// `/object_info` is the real ComfyUI 0.8 node catalogue (tests/fixtures/comfyui/object_info.json), with the
// combo lists that depend on the server's disk replaced: model names from the fake model folder and
// LoadImage's list from the uploaded input files, as a real server computes them on every request.
import { readFileSync } from 'node:fs';
import type { FileStore } from './file-store';
import type { ModelFolder, ModelStore } from './model-store';
import { guessMime } from './static-root';

/** One node definition as `/object_info` serves it (only the fields the simulator reads are typed). */
export interface NodeDef {
	input: {
		required?: Record<string, InputSpec>;
		optional?: Record<string, InputSpec>;
		hidden?: Record<string, unknown>;
	};
	input_order?: Record<string, string[]>;
	output: (string | string[])[];
	output_is_list?: boolean[];
	output_name?: string[];
	output_node: boolean;
	name: string;
	display_name?: string;
	category?: string;
	[key: string]: unknown;
}

/** `[TYPE]`, `[TYPE, options]`, `[[choices…], options]` or `["COMBO", {options: […]}]`. */
export type InputSpec = [string | unknown[], Record<string, unknown>?];

export type ObjectInfo = Record<string, NodeDef>;

const FIXTURE = new URL('../fixtures/comfyui/object_info.json', import.meta.url);

let base: ObjectInfo | null = null;

/** The recorded catalogue, parsed once per process. */
export function baseObjectInfo(): ObjectInfo {
	base ??= JSON.parse(readFileSync(FIXTURE, 'utf8')) as ObjectInfo;
	return base;
}

type Source = { folder: ModelFolder; extra?: string[] } | { inputImages: true } | { inputMedia: string[] };

// Which combo inputs list files. Keys are `Class.input` or `*.input` for every class.
const SOURCES: Record<string, Source> = {
	'*.ckpt_name': { folder: 'checkpoints' },
	'*.lora_name': { folder: 'loras' },
	'VAELoader.vae_name': { folder: 'vae', extra: ['pixel_space'] },
	'*.clip_name': { folder: 'text_encoders' },
	'CLIPVisionLoader.clip_name': { folder: 'clip_vision' },
	'*.clip_name1': { folder: 'text_encoders' },
	'*.clip_name2': { folder: 'text_encoders' },
	'*.clip_name3': { folder: 'text_encoders' },
	'*.clip_name4': { folder: 'text_encoders' },
	'*.control_net_name': { folder: 'controlnet' },
	'*.gligen_name': { folder: 'gligen' },
	'*.hypernetwork_name': { folder: 'hypernetworks' },
	'*.unet_name': { folder: 'diffusion_models' },
	'*.style_model_name': { folder: 'style_models' },
	'*.photomaker_model_name': { folder: 'photomaker' },
	'*.audio_encoder_name': { folder: 'audio_encoders' },
	'UpscaleModelLoader.model_name': { folder: 'upscale_models' },
	'LatentUpscaleModelLoader.model_name': { folder: 'latent_upscale_models' },
	'ModelPatchLoader.name': { folder: 'model_patches' },
	'LTXAVTextEncoderLoader.text_encoder': { folder: 'text_encoders' },
	'LoadImage.image': { inputImages: true },
	'LoadImageMask.image': { inputImages: true },
	'LoadVideo.file': { inputMedia: ['video/'] },
	'LoadAudio.audio': { inputMedia: ['audio/', 'video/'] }
};

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif'];

/** LoadImage's list: image files directly in input/, sorted (`filter_files_content_types(…, ["image"])`). */
export function inputImageNames(files: FileStore): string[] {
	return files
		.list('input', '')
		.filter((name) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)))
		.sort();
}

/** LoadVideo's and LoadAudio's lists: input/ files whose content type starts with one of `prefixes`. */
export function inputMediaNames(files: FileStore, prefixes: string[]): string[] {
	return files
		.list('input', '')
		.filter((name) => prefixes.some((prefix) => guessMime(name)?.startsWith(prefix)))
		.sort();
}

function sourceFor(nodeClass: string, input: string): Source | undefined {
	return SOURCES[`${nodeClass}.${input}`] ?? SOURCES[`*.${input}`];
}

function withChoices(spec: InputSpec, choices: string[]): InputSpec {
	const [type, options] = spec;
	if (type === 'COMBO') return ['COMBO', { ...(options ?? {}), options: choices }];
	return options === undefined ? [choices] : [choices, options];
}

/** Builds `/object_info` for the current models and input files. */
export function buildObjectInfo(models: ModelStore, files: FileStore): ObjectInfo {
	const images = inputImageNames(files);
	const out: ObjectInfo = {};
	for (const [nodeClass, def] of Object.entries(baseObjectInfo())) {
		let patched = def;
		for (const category of ['required', 'optional'] as const) {
			const inputs = def.input[category];
			if (!inputs) continue;
			for (const [name, spec] of Object.entries(inputs)) {
				const source = sourceFor(nodeClass, name);
				const isCombo = Array.isArray(spec[0]) || spec[0] === 'COMBO';
				if (!source || !isCombo) continue;
				const choices =
					'inputImages' in source
						? images
						: 'inputMedia' in source
							? inputMediaNames(files, source.inputMedia)
							: [...(models.list(source.folder) ?? []), ...(source.extra ?? [])];
				if (patched === def) patched = { ...def, input: { ...def.input } };
				patched.input[category] = { ...patched.input[category], [name]: withChoices(spec, choices) };
			}
		}
		out[nodeClass] = patched;
	}
	return out;
}

/** The combo choices of `spec`, or null when it is not a combo. */
export function comboChoices(spec: InputSpec): unknown[] | null {
	const [type, options] = spec;
	if (Array.isArray(type)) return type;
	if (type === 'COMBO') {
		const choices = options?.['options'];
		return Array.isArray(choices) ? choices : [];
	}
	return null;
}
