// Which templates use which model files, and where a template takes a model of a given folder. Pure functions
// over templates as the templates repository returns them (checked with zTemplate).
import type { ParameterDef, Template } from '$lib/comfy/workflow';

/** One model input of one template. */
export interface ModelSlot {
	templateId: string;
	templateName: string;
	nodeId: string;
	input: string;
	classType: string;
	/** What the user sees: the form parameter's label, or the node's title and input. */
	label: string;
	/** The file it names now. */
	current: string;
	/** Form parameters that write this input (their default follows a change). */
	parameterIds: string[];
}

/** A model folder and its files, as the server lists them. */
export interface FolderFiles {
	folder: string;
	files: string[];
}

// Loader inputs whose folder the name says (ComfyUI's own loaders), for templates naming a file the server
// lacks. `clip_name` of CLIPVisionLoader is the exception handled below.
const INPUT_FOLDER: Record<string, string> = {
	ckpt_name: 'checkpoints',
	lora_name: 'loras',
	vae_name: 'vae',
	unet_name: 'diffusion_models',
	clip_name: 'text_encoders',
	clip_name1: 'text_encoders',
	clip_name2: 'text_encoders',
	clip_name3: 'text_encoders',
	clip_name4: 'text_encoders',
	control_net_name: 'controlnet',
	style_model_name: 'style_models',
	gligen_name: 'gligen',
	hypernetwork_name: 'hypernetworks',
	photomaker_model_name: 'photomaker',
	audio_encoder_name: 'audio_encoders',
	config_name: 'configs'
};

/** The folder an input takes its file from by name, when it is one of ComfyUI's loaders. */
export function folderOfInput(o: { classType: string; input: string }): string | undefined {
	if (o.classType === 'CLIPVisionLoader' && o.input === 'clip_name') return 'clip_vision';
	if (o.input === 'model_name' && o.classType === 'UpscaleModelLoader') return 'upscale_models';
	if (o.input === 'model_name' && o.classType === 'LatentUpscaleModelLoader') return 'latent_upscale_models';
	return INPUT_FOLDER[o.input];
}

// Windows servers list `sub\file.safetensors`; templates may have been made on either.
const norm = (file: string) => file.replace(/\\/g, '/');

/** Every string input of every node of a template, with the labels of parameters writing it. */
function* stringInputs(template: Template) {
	// Templates come checked from the repository; a caller's own half-built one yields nothing rather than a crash.
	const parameters: ParameterDef[] = template.parameters ?? [];
	for (const [nodeId, node] of Object.entries(template.api ?? {})) {
		for (const [input, value] of Object.entries(node.inputs)) {
			if (typeof value !== 'string') continue;
			const writers = parameters.filter((p) => writes(p, { nodeId, input }));
			yield {
				nodeId,
				input,
				classType: node.class_type,
				value,
				label: writers[0]?.label ?? `${node._meta?.title ?? node.class_type} · ${input}`,
				parameterIds: writers.map((p) => p.id)
			};
		}
	}
}

function writes(parameter: ParameterDef, target: { nodeId: string; input: string }): boolean {
	return parameter.targets.some((t) => t.nodeId === target.nodeId && t.input === target.input);
}

/**
 * The inputs of `template` that take a model of `folder`: those naming a file of the folder now, and the
 * loader inputs of that folder by name (even when their current file is missing on this server).
 */
export function modelSlots(o: { template: Template; folder: FolderFiles }): ModelSlot[] {
	const files = new Set(o.folder.files.map(norm));
	const slots: ModelSlot[] = [];
	for (const input of stringInputs(o.template)) {
		const byName = folderOfInput(input) === o.folder.folder;
		if (!byName && !files.has(norm(input.value))) continue;
		slots.push({
			templateId: o.template.id,
			templateName: o.template.name,
			nodeId: input.nodeId,
			input: input.input,
			classType: input.classType,
			label: input.label,
			current: input.value,
			parameterIds: input.parameterIds
		});
	}
	return slots;
}

/** For every model file (`folder/file`), the template inputs that name it. */
export function modelUsage(o: { templates: Template[]; folders: FolderFiles[] }): Map<string, ModelSlot[]> {
	const usage = new Map<string, ModelSlot[]>();
	for (const folder of o.folders) {
		const files = new Map(folder.files.map((f) => [norm(f), f]));
		for (const template of o.templates) {
			for (const slot of modelSlots({ template, folder })) {
				const file = files.get(norm(slot.current));
				if (!file) continue;
				const key = modelKey(folder.folder, file);
				usage.set(key, [...(usage.get(key) ?? []), slot]);
			}
		}
	}
	return usage;
}

/** The key of a file in `modelUsage`. */
export function modelKey(folder: string, file: string): string {
	return `${folder}/${file}`;
}

/**
 * A copy of `template` whose input `nodeId.input` names `file`; the parameters writing that input get it as
 * their default (and among their options), so the form starts from the new model.
 */
export function withModel(o: {
	template: Template;
	nodeId: string;
	input: string;
	file: string;
	now: number;
}): Template {
	const api = structuredClone(o.template.api);
	const set = (target: { nodeId: string; input: string }) => {
		const inputs = api[target.nodeId]?.inputs;
		if (inputs && typeof inputs[target.input] !== 'object') inputs[target.input] = o.file;
		return Boolean(inputs);
	};
	if (!set(o)) throw new Error(`Node ${o.nodeId} is not in template "${o.template.name}" any more.`);
	const parameters = o.template.parameters.map((p) => {
		if (!writes(p, o)) return p;
		// One field bound to several inputs writes them all: keep the workflow in step with the field.
		for (const target of p.targets) set(target);
		return {
			...p,
			default: o.file,
			...(p.options && !p.options.includes(o.file) ? { options: [...p.options, o.file] } : {})
		};
	});
	return { ...o.template, api, parameters, updatedAt: o.now };
}
