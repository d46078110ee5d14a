// The fake model folder. ComfyUI lists model files per folder name (`/models/{folder}`) and fills every
// loader's combo list from them; the simulator does the same from a small default set, or from a real
// directory (`--models-dir`) whose subfolders are named like ComfyUI's (checkpoints/, loras/, …).
import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Folder names in the order a real ComfyUI 0.8 answers `GET /models`. */
export const MODEL_FOLDERS = [
	'checkpoints',
	'configs',
	'loras',
	'vae',
	'text_encoders',
	'diffusion_models',
	'clip_vision',
	'style_models',
	'embeddings',
	'diffusers',
	'vae_approx',
	'controlnet',
	'gligen',
	'upscale_models',
	'latent_upscale_models',
	'custom_nodes',
	'hypernetworks',
	'photomaker',
	'classifiers',
	'model_patches',
	'audio_encoders'
] as const;

export type ModelFolder = (typeof MODEL_FOLDERS)[number];

/** The models a fresh simulator offers when no models directory is given. */
export const DEFAULT_MODELS: Partial<Record<ModelFolder, string[]>> = {
	checkpoints: [
		'v1-5-pruned-emaonly.safetensors',
		'sd_xl_base_1.0.safetensors',
		'sd_xl_refiner_1.0.safetensors'
	],
	loras: ['add_detail.safetensors', 'pixel-art-xl.safetensors'],
	vae: ['vae-ft-mse-840000-ema-pruned.safetensors'],
	upscale_models: ['RealESRGAN_x4plus.pth'],
	embeddings: ['easynegative.safetensors']
};

// ComfyUI's `supported_pt_extensions`; configs/ holds YAML files instead.
const MODEL_EXTENSIONS = ['.ckpt', '.pt', '.pt2', '.bin', '.pth', '.safetensors', '.pkl', '.sft'];

function isModelFolder(name: string): name is ModelFolder {
	return (MODEL_FOLDERS as readonly string[]).includes(name);
}

function scan(dir: string, prefix: string, extensions: string[], out: string[]): void {
	let entries: string[];
	try {
		entries = readdirSync(dir);
	} catch {
		return;
	}
	for (const name of entries) {
		const full = join(dir, name);
		const rel = prefix ? posix.join(prefix, name) : name;
		if (statSync(full).isDirectory()) scan(full, rel, extensions, out);
		else if (extensions.some((ext) => name.toLowerCase().endsWith(ext))) out.push(rel);
	}
}

/** Model file lists per folder. */
export class ModelStore {
	private readonly lists = new Map<ModelFolder, string[]>();

	/** Reads `modelsDir` (subfolders per model type); without it, uses `DEFAULT_MODELS`. */
	constructor(options: { modelsDir?: string } = {}) {
		for (const folder of MODEL_FOLDERS) {
			let files: string[];
			if (options.modelsDir) {
				files = [];
				const extensions = folder === 'configs' ? ['.yaml'] : MODEL_EXTENSIONS;
				scan(join(options.modelsDir, folder), '', extensions, files);
			} else {
				files = [...(DEFAULT_MODELS[folder] ?? [])];
			}
			this.lists.set(folder, files.sort());
		}
	}

	/** Folder names, as `GET /models` answers. */
	folders(): string[] {
		return [...MODEL_FOLDERS];
	}

	/** Files of one folder, or null for an unknown folder (`GET /models/x` answers 404). */
	list(folder: string): string[] | null {
		if (!isModelFolder(folder)) return null;
		return [...(this.lists.get(folder) ?? [])];
	}

	/** True when `name` is a file of `folder`. */
	has(folder: ModelFolder, name: string): boolean {
		return this.lists.get(folder)?.includes(name) ?? false;
	}
}
