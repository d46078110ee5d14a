/**
 * Finds the inputs of an API workflow a user most likely wants in a form, from `/object_info` types and the shape
 * of common graphs: the prompt texts feeding a sampler's positive/negative, seed, steps, cfg, sampler, scheduler,
 * denoise, latent size, checkpoint, LoRAs and input images. Nodes whose title starts with a marker (`deck:` by
 * default) expose all their widgets.
 */
import { getInputSpecs, getNodeDef, isModelInput, type InputSpec, type ObjectInfo } from './object-info';
import {
	UPLOAD_PARAMETER_KIND,
	type ParameterDef,
	type ParameterKind,
	type ParameterTarget,
	type SeedMode
} from './parameter-def';
import { isApiLink, type ApiWorkflow } from './types';
import type { WidgetControl } from './ui-to-api';
import { conditioningRoots, findTexts, PRIMITIVES } from './prompt-texts';
import { topologicalOrder } from './graph-order';
import { displayName, humanize, slug, uniqueId, uniqueLabel } from './parameter-names';

export { topologicalOrder } from './graph-order';
export { humanize, slug } from './parameter-names';
export { refreshOptions } from './refresh-options';

/** Title prefixes that expose a node's widgets. */
export const DEFAULT_MARKERS = ['deck:'];

const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustom', 'SamplerCustomAdvanced']);

/** Sampler-ish inputs, in form order: input name → [id, label, group]. */
const SAMPLING_INPUTS: Record<string, [string, string]> = {
	seed: ['seed', 'Seed'],
	noise_seed: ['seed', 'Seed'],
	steps: ['steps', 'Steps'],
	cfg: ['cfg', 'CFG'],
	sampler_name: ['sampler', 'Sampler'],
	scheduler: ['scheduler', 'Scheduler'],
	denoise: ['denoise', 'Denoise']
};
const SIZE_INPUTS: Record<string, [string, string]> = {
	width: ['width', 'Width'],
	height: ['height', 'Height'],
	length: ['length', 'Length (frames)'],
	batch_size: ['batch', 'Batch size']
};

interface Context {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	controls: WidgetControl[];
	out: ParameterDef[];
	/** `nodeId/input` already bound to a parameter. */
	taken: Set<string>;
}

/**
 * The parameters a new template starts with, in form order. `controls` (from the import) sets seed modes:
 * randomize → random, increment → increment, anything else → fixed.
 */
export function detectParameters({
	api,
	objectInfo,
	controls = [],
	markers = DEFAULT_MARKERS
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	controls?: WidgetControl[];
	markers?: string[];
}): ParameterDef[] {
	const ctx: Context = { api, objectInfo, controls, out: [], taken: new Set() };
	const order = topologicalOrder(api);
	const samplers = order.filter((id) => SAMPLERS.has(api[id]!.class_type));

	// 1. Prompts: text widgets upstream of each sampler's positive / negative conditioning.
	for (const polarity of ['positive', 'negative'] as const) {
		const texts: { nodeId: string; input: string; value: unknown }[] = [];
		for (const id of samplers) {
			for (const root of conditioningRoots(api, id, polarity)) {
				for (const t of findTexts(ctx, root, polarity)) {
					if (!texts.some((x) => x.nodeId === t.nodeId && x.input === t.input)) texts.push(t);
				}
			}
		}
		// Identical texts (e.g. base and refiner fed by one primitive) share one field.
		const byValue = new Map<string, { nodeId: string; input: string }[]>();
		for (const t of texts) byValue.set(String(t.value), [...(byValue.get(String(t.value)) ?? []), t]);
		let n = 0;
		for (const targets of byValue.values()) {
			n++;
			const label = polarity === 'positive' ? 'Prompt' : 'Negative prompt';
			add(ctx, targets, {
				id: polarity === 'positive' ? 'prompt' : 'negative',
				label: n > 1 ? `${label} ${n}` : label,
				group: 'Prompt'
			});
		}
	}

	// 2. Input files: images (still or animated), videos and audio, each with its upload button.
	for (const id of order) {
		for (const w of widgets(ctx, id)) {
			const upload = w.spec.upload;
			if (upload === 'image' || upload === 'animated_image')
				add(ctx, [w.target], { id: 'image', label: 'Image', group: 'Image' }, w.spec);
			else if (upload === 'video')
				add(ctx, [w.target], { id: 'video', label: 'Video', group: 'Video' }, w.spec);
			else if (upload === 'audio')
				add(ctx, [w.target], { id: 'audio', label: 'Audio', group: 'Audio' }, w.spec);
		}
	}

	// 3. Sampling settings, sampler by sampler (the first keeps the plain names).
	const samplingNodes = order.filter(
		(id) => SAMPLERS.has(api[id]!.class_type) || isSamplingHelper(api[id]!.class_type)
	);
	for (const id of samplingNodes) {
		for (const w of widgets(ctx, id)) {
			const known = SAMPLING_INPUTS[w.spec.name];
			if (known) add(ctx, [w.target], { id: known[0], label: known[1], group: 'Sampling' }, w.spec);
		}
	}
	// Seeds elsewhere (RandomNoise, custom nodes with a seed control).
	for (const id of order) {
		for (const w of widgets(ctx, id)) {
			if (w.spec.controlAfterGenerate && w.spec.kind === 'INT' && !PRIMITIVES.has(api[id]!.class_type)) {
				add(ctx, [w.target], { id: 'seed', label: 'Seed', group: 'Sampling' }, w.spec);
			}
		}
	}

	// 4. Size: nodes feeding a sampler's latent, and empty-latent or empty-image sources (model-free graphs).
	const latentSources = new Set<string>();
	for (const id of samplers) {
		const latent = api[id]!.inputs.latent_image;
		if (isApiLink(latent)) latentSources.add(latent[0]);
	}
	for (const id of order) {
		if (!latentSources.has(id) && !/^Empty.*(Latent|Image$)/.test(api[id]!.class_type)) continue;
		// A marked node's widgets all go to its own group (step 6).
		const title = api[id]!._meta?.title?.trim().toLowerCase() ?? '';
		if (markers.some((m) => title.startsWith(m.toLowerCase()))) continue;
		for (const w of widgets(ctx, id)) {
			const known = SIZE_INPUTS[w.spec.name];
			if (known) add(ctx, [w.target], { id: known[0], label: known[1], group: 'Size' }, w.spec);
		}
	}

	// 5. Models and LoRAs.
	let lora = 0;
	for (const id of order) {
		const node = api[id]!;
		const ws = widgets(ctx, id);
		if (/Lora/i.test(node.class_type) && ws.some((w) => w.spec.name === 'lora_name')) {
			lora++;
			const suffix = lora > 1 ? ` ${lora}` : '';
			for (const w of ws) {
				const label =
					w.spec.name === 'lora_name'
						? `LoRA${suffix}`
						: w.spec.name === 'strength_model'
							? `LoRA${suffix} strength`
							: w.spec.name === 'strength_clip'
								? `LoRA${suffix} CLIP strength`
								: undefined;
				if (label) add(ctx, [w.target], { id: slug(label), label, group: 'LoRA' }, w.spec);
			}
			continue;
		}
		for (const w of ws) {
			if (w.spec.name === 'ckpt_name')
				add(ctx, [w.target], { id: 'checkpoint', label: 'Checkpoint', group: 'Model' }, w.spec);
			else if (w.spec.name === 'unet_name')
				add(ctx, [w.target], { id: 'model', label: 'Diffusion model', group: 'Model' }, w.spec);
		}
	}

	// 6. Marked nodes expose every widget, grouped under their title.
	for (const id of order) {
		const title = api[id]!._meta?.title?.trim() ?? '';
		const marker = markers.find((m) => title.toLowerCase().startsWith(m.toLowerCase()));
		if (!marker) continue;
		const group = title.slice(marker.length).trim() || `Node ${id}`;
		for (const w of widgets(ctx, id)) {
			add(
				ctx,
				[w.target],
				{ id: slug(`${group}_${w.spec.name}`), label: humanize(w.spec.name), group },
				w.spec
			);
		}
	}
	return ctx.out;
}

/**
 * Every widget input not yet bound to a parameter, as hidden parameters: what the template editor offers to
 * expose. Ids are unique against `existing`.
 */
export function parameterCandidates({
	api,
	objectInfo,
	existing
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	existing: ParameterDef[];
}): ParameterDef[] {
	const ctx: Context = { api, objectInfo, controls: [], out: [...existing], taken: new Set() };
	for (const p of existing) for (const t of p.targets) ctx.taken.add(key(t.nodeId, t.input));
	for (const id of topologicalOrder(api)) {
		const node = api[id]!;
		const group = node._meta?.title ?? displayName(objectInfo, node.class_type, id);
		for (const w of widgets(ctx, id, { followPrimitives: false })) {
			add(
				ctx,
				[w.target],
				{ id: slug(`n${id}_${w.spec.name}`), label: humanize(w.spec.name), group, hidden: true },
				w.spec
			);
		}
	}
	return ctx.out.slice(existing.length);
}

/** A parameter for one input of one node, or undefined when that input is not an editable widget. */
export function makeParameter({
	api,
	objectInfo,
	nodeId,
	input,
	id,
	label,
	group = 'Other'
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	nodeId: string;
	input: string;
	id: string;
	label: string;
	group?: string;
}): ParameterDef | undefined {
	const ctx: Context = { api, objectInfo, controls: [], out: [], taken: new Set() };
	add(ctx, [{ nodeId, input }], { id, label, group });
	return ctx.out[0];
}

/**
 * Adds a parameter writing `targets`, typed by the first target's spec (or `asSpec`: a seed that lives on a
 * PrimitiveInt keeps the sampler's bounds). Targets already taken are skipped.
 */
function add(
	ctx: Context,
	targets: ParameterTarget[],
	meta: { id: string; label: string; group: string; hidden?: boolean },
	asSpec?: InputSpec
): void {
	const free = targets.filter((t) => !ctx.taken.has(key(t.nodeId, t.input)));
	const first = free[0];
	if (!first) return;
	const node = ctx.api[first.nodeId];
	const nodeDef = node ? getNodeDef({ objectInfo: ctx.objectInfo, classType: node.class_type }) : undefined;
	const spec =
		asSpec ?? (nodeDef ? getInputSpecs({ nodeDef }).find((s) => s.name === first.input) : undefined);
	if (!node || !nodeDef || !spec || !spec.isWidget) return;
	const value = node.inputs[first.input];
	if (value !== undefined && !isScalar(value)) return;
	const kind: ParameterKind = spec.upload ? UPLOAD_PARAMETER_KIND[spec.upload] : (spec.kind as ParameterKind);
	for (const t of free) ctx.taken.add(key(t.nodeId, t.input));
	const def: ParameterDef = {
		id: uniqueId(ctx.out, meta.id),
		label: clampText(
			uniqueLabel(ctx.out, meta.label, {
				api: ctx.api,
				objectInfo: ctx.objectInfo,
				nodeId: first.nodeId
			})
		),
		kind,
		group: clampText(meta.group),
		targets: free.map((t) => ({ nodeId: t.nodeId, input: t.input })),
		default: value === undefined ? null : value,
		required: spec.section === 'required' && kind !== 'STRING',
		hidden: meta.hidden ?? false
	};
	if (spec.min !== undefined) def.min = spec.min;
	if (spec.max !== undefined) def.max = spec.max;
	if (spec.step !== undefined && spec.step > 0) def.step = spec.step;
	if (spec.round !== undefined && spec.round !== 0) def.round = spec.round;
	if (spec.options) def.options = spec.options;
	if (isModelInput({ nodeDef, spec })) def.modelList = true;
	if (spec.multiline) def.multiline = true;
	if (spec.tooltip) def.tooltip = spec.tooltip.slice(0, 2000);
	if (spec.controlAfterGenerate && kind === 'INT') def.seedMode = seedModeOf(ctx.controls, free);
	ctx.out.push(def);
}

function seedModeOf(controls: WidgetControl[], targets: { nodeId: string; input: string }[]): SeedMode {
	const c = controls.find((x) => targets.some((t) => t.nodeId === x.nodeId && t.input === x.input));
	return c?.mode === 'randomize' ? 'random' : c?.mode === 'increment' ? 'increment' : 'fixed';
}

/** A widget of a node and where its value lives (the node itself, or the primitive node feeding it). */
interface Widget {
	spec: InputSpec;
	target: ParameterTarget;
}

/** Editable widgets of a node not bound yet: literal values, or links from a Primitive* node (when followed). */
function widgets(ctx: Context, id: string, { followPrimitives = true } = {}): Widget[] {
	const node = ctx.api[id];
	if (!node) return [];
	const nodeDef = getNodeDef({ objectInfo: ctx.objectInfo, classType: node.class_type });
	if (!nodeDef) return [];
	const out: Widget[] = [];
	for (const spec of getInputSpecs({ nodeDef })) {
		if (!spec.isWidget || ctx.taken.has(key(id, spec.name)) || !Object.hasOwn(node.inputs, spec.name))
			continue;
		const value = node.inputs[spec.name];
		if (isApiLink(value)) {
			const src = followPrimitives ? primitiveSource(ctx.api, value) : undefined;
			if (src && !ctx.taken.has(key(src, 'value')))
				out.push({ spec, target: { nodeId: src, input: 'value' } });
		} else if (isScalar(value)) out.push({ spec, target: { nodeId: id, input: spec.name } });
	}
	return out;
}

/** Follows a link to a Primitive* node, returning its id. */
function primitiveSource(api: ApiWorkflow, link: [string, number]): string | undefined {
	const src = api[link[0]];
	return src && PRIMITIVES.has(src.class_type) && !isApiLink(src.inputs.value) ? link[0] : undefined;
}

function isSamplingHelper(classType: string): boolean {
	return ['RandomNoise', 'BasicScheduler', 'KSamplerSelect', 'CFGGuider'].includes(classType);
}

function key(nodeId: string, input: string): string {
	return `${nodeId}\u0000${input}`;
}

/**
 * Labels and groups come from node titles, which a workflow file may make as long as it likes: a template keeps
 * at most 200 characters of them (longer ones made the import throw instead of showing the review).
 */
function clampText(text: string): string {
	return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function isScalar(v: unknown): v is string | number | boolean | null {
	return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
