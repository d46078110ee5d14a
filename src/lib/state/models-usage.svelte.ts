// Which templates use which model files, and where a template takes a model of a given folder. Pure functions
// over stored templates (`api` workflow + `parameters`), read defensively: a template written by an older build
// may lack fields.
import type { StoredTemplate } from '$lib/storage/db';

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
function* stringInputs(template: StoredTemplate) {
	const api = record(template.api);
	if (!api) return;
	const parameters = Array.isArray(template.parameters) ? (template.parameters as unknown[]) : [];
	for (const [nodeId, rawNode] of Object.entries(api)) {
		const node = record(rawNode);
		const inputs = record(node?.inputs);
		if (!node || !inputs) continue;
		const classType = typeof node.class_type === 'string' ? node.class_type : 'node';
		const title = record(node._meta)?.title;
		for (const [input, value] of Object.entries(inputs)) {
			if (typeof value !== 'string') continue;
			const writers = parameters.map(record).filter((p) => {
				const targets = Array.isArray(p?.targets) ? (p.targets as unknown[]) : [];
				return targets.some((t) => record(t)?.nodeId === nodeId && record(t)?.input === input);
			});
			const parameterLabel = writers.find((p) => typeof p?.label === 'string')?.label as string | undefined;
			yield {
				nodeId,
				input,
				classType,
				value,
				label: parameterLabel ?? `${typeof title === 'string' ? title : classType} · ${input}`,
				parameterIds: writers.map((p) => p?.id).filter((id): id is string => typeof id === 'string')
			};
		}
	}
}

/**
 * The inputs of `template` that take a model of `folder`: those naming a file of the folder now, and the
 * loader inputs of that folder by name (even when their current file is missing on this server).
 */
export function modelSlots(o: { template: StoredTemplate; folder: FolderFiles }): ModelSlot[] {
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
export function modelUsage(o: {
	templates: StoredTemplate[];
	folders: FolderFiles[];
}): Map<string, ModelSlot[]> {
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
	template: StoredTemplate;
	nodeId: string;
	input: string;
	file: string;
	now: number;
}): StoredTemplate {
	const api = structuredClone(record(o.template.api) ?? {});
	const set = (nodeId: string, input: string) => {
		const inputs = record(record(api[nodeId])?.inputs);
		if (inputs && typeof inputs[input] !== 'object') inputs[input] = o.file;
		return Boolean(inputs);
	};
	if (!set(o.nodeId, o.input))
		throw new Error(`Node ${o.nodeId} is not in template "${o.template.name}" any more.`);
	const parameters = Array.isArray(o.template.parameters)
		? (o.template.parameters as unknown[]).map((raw) => {
				const p = record(raw);
				const targets = (Array.isArray(p?.targets) ? (p.targets as unknown[]) : []).map(record);
				if (!p || !targets.some((t) => t?.nodeId === o.nodeId && t?.input === o.input)) return raw;
				// One field bound to several inputs writes them all: keep the workflow in step with the field.
				for (const t of targets)
					if (typeof t?.nodeId === 'string' && typeof t.input === 'string') set(t.nodeId, t.input);
				const options = Array.isArray(p.options) ? (p.options as unknown[]) : undefined;
				return {
					...p,
					default: o.file,
					...(options && !options.includes(o.file) ? { options: [...options, o.file] } : {})
				};
			})
		: o.template.parameters;
	return { ...o.template, api, parameters, updatedAt: o.now };
}

function record(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}
