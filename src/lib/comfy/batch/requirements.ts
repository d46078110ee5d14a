/**
 * What a prompt needs from a server (its node classes and the model files its loaders name) and what a server
 * has (from its `/object_info` and model lists), so an item only goes where it can run.
 */
import { getInputSpecs, getNodeDef, isModelInput, type ObjectInfo } from '../workflow/object-info';
import type { ApiWorkflow } from '../workflow/types';

/** One model file a prompt loads. `folder` is ComfyUI's folder name (`checkpoints`, `loras`…) when known. */
export interface ModelNeed {
	nodeId: string;
	classType: string;
	input: string;
	name: string;
	folder: string;
}

export interface Requirements {
	/** Every node class of the prompt, sorted. */
	nodeClasses: string[];
	/** Model files, one per distinct folder and name, in node order. */
	models: ModelNeed[];
}

// ComfyUI's folder names for the loaders' inputs (nodes.py), `Class.input` before `*.input`.
const FOLDERS: Record<string, string> = {
	'*.ckpt_name': 'checkpoints',
	'*.lora_name': 'loras',
	'*.vae_name': 'vae',
	'*.clip_name': 'text_encoders',
	'CLIPVisionLoader.clip_name': 'clip_vision',
	'*.clip_name1': 'text_encoders',
	'*.clip_name2': 'text_encoders',
	'*.clip_name3': 'text_encoders',
	'*.clip_name4': 'text_encoders',
	'*.control_net_name': 'controlnet',
	'*.gligen_name': 'gligen',
	'*.hypernetwork_name': 'hypernetworks',
	'*.unet_name': 'diffusion_models',
	'*.style_model_name': 'style_models',
	'*.photomaker_model_name': 'photomaker',
	'*.audio_encoder_name': 'audio_encoders',
	'UpscaleModelLoader.model_name': 'upscale_models',
	'LatentUpscaleModelLoader.model_name': 'latent_upscale_models',
	'ModelPatchLoader.name': 'model_patches'
};

/** Words for a folder in messages ("the LoRA add_detail.safetensors"). */
const FOLDER_WORDS: Record<string, string> = {
	checkpoints: 'checkpoint',
	loras: 'LoRA',
	vae: 'VAE',
	text_encoders: 'text encoder',
	clip_vision: 'CLIP vision model',
	controlnet: 'ControlNet',
	diffusion_models: 'diffusion model',
	upscale_models: 'upscale model'
};

/**
 * The folder a loader input reads from. Inputs outside the table get a folder of their own (`Class.input`), so
 * custom loaders are still checked against the server's own list for that input.
 */
export function modelFolderOf({ classType, input }: { classType: string; input: string }): string {
	return FOLDERS[`${classType}.${input}`] ?? FOLDERS[`*.${input}`] ?? `${classType}.${input}`;
}

/** "the LoRA add_detail.safetensors", "the model x.bin (MyLoader.weights)". */
export function describeModel(need: Pick<ModelNeed, 'folder' | 'name'>): string {
	const word = FOLDER_WORDS[need.folder];
	return word ? `the ${word} ${need.name}` : `the model ${need.name} (${need.folder})`;
}

/**
 * What `api` needs: its node classes, and the files named by inputs that `objectInfo` (any server's, or the one
 * the template was made with) shows as model lists. Links and classes `objectInfo` does not know add no models.
 */
export function requirementsOf({
	api,
	objectInfo
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
}): Requirements {
	const classes = new Set<string>();
	const models: ModelNeed[] = [];
	const seen = new Set<string>();
	const ids = Object.keys(api).sort(new Intl.Collator('en', { numeric: true }).compare);
	for (const nodeId of ids) {
		const node = api[nodeId]!;
		classes.add(node.class_type);
		const nodeDef = getNodeDef({ objectInfo, classType: node.class_type });
		if (!nodeDef) continue;
		for (const spec of getInputSpecs({ nodeDef })) {
			const value = node.inputs[spec.name];
			if (typeof value !== 'string' || !isModelInput({ nodeDef, spec })) continue;
			const folder = modelFolderOf({ classType: node.class_type, input: spec.name });
			const key = `${folder}\u0000${value}`;
			if (seen.has(key)) continue;
			seen.add(key);
			models.push({ nodeId, classType: node.class_type, input: spec.name, name: value, folder });
		}
	}
	return { nodeClasses: [...classes].sort(), models };
}

/** What one server can run. */
export interface ServerCapabilities {
	nodeClasses: ReadonlySet<string>;
	/** Files per folder (folders as `modelFolderOf` names them). */
	models: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * A server's capabilities from its `/object_info` (every model list its loaders offer) and the lists read from
 * `/models/{folder}` when the app has them. A folder's own list wins over object_info's combos for that folder:
 * it is read again every minute, while object_info is kept for the server's version, so a file deleted or added
 * since shows there first. Folders without a list (custom loaders' inputs) keep object_info's files.
 */
export function capabilitiesOf({
	objectInfo,
	modelLists = {}
}: {
	objectInfo: ObjectInfo;
	modelLists?: Record<string, readonly string[]>;
}): ServerCapabilities {
	const models = new Map<string, Set<string>>();
	const add = (folder: string, names: Iterable<unknown>) => {
		let set = models.get(folder);
		if (!set) models.set(folder, (set = new Set()));
		for (const n of names) if (typeof n === 'string') set.add(n);
	};
	for (const classType of Object.keys(objectInfo)) {
		const nodeDef = getNodeDef({ objectInfo, classType });
		if (!nodeDef) continue;
		for (const spec of getInputSpecs({ nodeDef })) {
			const folder = modelFolderOf({ classType, input: spec.name });
			if (isModelInput({ nodeDef, spec }) && !(folder in modelLists)) add(folder, spec.options ?? []);
		}
	}
	for (const [folder, names] of Object.entries(modelLists)) add(folder, names);
	return { nodeClasses: new Set(Object.keys(objectInfo)), models };
}

/** What a server lacks for a prompt (empty lists: it has everything). */
export function missingOn({
	needs,
	capabilities
}: {
	needs: Requirements;
	capabilities: ServerCapabilities;
}): { nodeClasses: string[]; models: ModelNeed[] } {
	return {
		nodeClasses: needs.nodeClasses.filter((c) => !capabilities.nodeClasses.has(c)),
		models: needs.models.filter((m) => !capabilities.models.get(m.folder)?.has(m.name))
	};
}
