/**
 * `/object_info`: the server's node definitions, and a normalized view of one class's inputs in the order
 * ComfyUI's editor lays out its widgets (which is the order of `widgets_values` in UI-format workflows).
 */
// The core's guards, not zod: the core's REST client reads /object_info with these (see ../guard.ts).
import * as z from '../guard';

/** `input.required` / `input.optional` / `input.hidden`: input name → raw spec (`[TYPE, {…}]`, `[[…options]]`, …). */
const zInputSection = z.record(z.string(), z.unknown());

/** One node class as `/object_info` describes it. Loose: only what the app reads is checked. */
export const zNodeDef = z.looseObject({
	input: z._default(
		z.looseObject({
			required: z.optional(zInputSection),
			optional: z.optional(zInputSection),
			hidden: z.optional(zInputSection)
		}),
		{}
	),
	input_order: z.optional(
		z.looseObject({
			required: z.optional(z.array(z.string())),
			optional: z.optional(z.array(z.string())),
			hidden: z.optional(z.array(z.string()))
		})
	),
	output: z._default(z.array(z.unknown()), []),
	output_name: z.optional(z.array(z.unknown())),
	output_is_list: z.optional(z.array(z.unknown())),
	output_node: z.optional(z.boolean()),
	name: z.optional(z.string()),
	display_name: z.nullish(z.string()),
	description: z.nullish(z.string()),
	category: z.optional(z.string()),
	python_module: z.optional(z.string()),
	deprecated: z.optional(z.boolean()),
	experimental: z.optional(z.boolean()),
	api_node: z.optional(z.boolean())
});
export type NodeDef = z.infer<typeof zNodeDef>;

/** `GET /object_info`: class name → definition. */
export const zObjectInfo = z.record(z.string(), zNodeDef);
export type ObjectInfo = z.infer<typeof zObjectInfo>;

/**
 * Parses `/object_info` one class at a time, so that one malformed custom node does not lose the other 500.
 * Classes whose definition does not parse are listed in `skipped`.
 */
export function parseObjectInfo({ json }: { json: unknown }): { objectInfo: ObjectInfo; skipped: string[] } {
	const objectInfo: ObjectInfo = Object.create(null) as ObjectInfo;
	const skipped: string[] = [];
	if (!isPlainObject(json)) return { objectInfo, skipped };
	for (const [name, raw] of Object.entries(json)) {
		const parsed = z.safeParse(zNodeDef, raw);
		if (parsed.success && !UNSAFE_KEYS.has(name)) objectInfo[name] = parsed.data;
		else skipped.push(name);
	}
	return { objectInfo, skipped };
}

/** The definition of `classType`, or undefined; never a property inherited from `Object.prototype`. */
export function getNodeDef({
	objectInfo,
	classType
}: {
	objectInfo: ObjectInfo;
	classType: string;
}): NodeDef | undefined {
	return Object.hasOwn(objectInfo, classType) ? objectInfo[classType] : undefined;
}

/** How the app edits an input: one of the five widget kinds, or a link socket (MODEL, IMAGE, …). */
export type InputKind = 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'COMBO' | 'LINK';

/** Which upload button the editor puts after a combo (it occupies a slot in `widgets_values`). */
export type UploadKind = 'image' | 'video' | 'audio' | 'animated_image';

/** One input of a node class, normalized from the several spec shapes ComfyUI uses. */
export interface InputSpec {
	name: string;
	section: 'required' | 'optional';
	/** The raw type: `INT`, `COMBO`, `MODEL`, `IMAGE`, or a custom type. Old-style combos report `COMBO`. */
	type: string;
	kind: InputKind;
	/** COMBO choices (may be empty: e.g. a model folder with no files). */
	options?: (string | number)[];
	min?: number;
	max?: number;
	step?: number;
	/** FLOAT rounding; `false` turns rounding off. */
	round?: number | false;
	multiline?: boolean;
	default?: unknown;
	tooltip?: string;
	/** True when the editor shows it as a widget (and so stores its value in `widgets_values`). */
	isWidget: boolean;
	/** The editor adds a `control_after_generate` widget (fixed/increment/decrement/randomize) after this one. */
	controlAfterGenerate?: boolean;
	/** The editor adds an upload button after this combo. */
	upload?: UploadKind;
	/** STRING whose `{a|b}` choices and comments the editor expands when queueing. */
	dynamicPrompts?: boolean;
	/** Hidden slots the editor stores in `widgets_values` right after this widget's value. */
	extraWidgetSlots: number;
}

/** Widget types the official editor draws with a custom widget this app cannot reproduce. */
export const UNSUPPORTED_WIDGET_TYPES: ReadonlySet<string> = new Set([
	'WEBCAM',
	'AUDIO_RECORD',
	'LOAD_3D',
	'LOAD_3D_ANIMATION',
	'COMFY_DYNAMICCOMBO_V3',
	'COMFY_AUTOGROW_V3',
	'MARKDOWN'
]);

const PRIMITIVE_KINDS = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

/** Normalizes one raw spec (`["INT", {min…}]`, `[["a","b"], {…}]`, `["COMBO", {options}]`, `"STRING"`). */
export function normalizeInputSpec({
	name,
	raw,
	section = 'required'
}: {
	name: string;
	raw: unknown;
	section?: 'required' | 'optional';
}): InputSpec {
	const tuple = Array.isArray(raw) ? raw : [raw];
	const head: unknown = tuple[0];
	const opts: Record<string, unknown> = isPlainObject(tuple[1]) ? tuple[1] : {};
	let type: string;
	let options: (string | number)[] | undefined;
	if (Array.isArray(head)) {
		type = 'COMBO';
		options = head.filter(isOption);
	} else {
		type = typeof head === 'string' ? head : 'UNKNOWN';
		if (type === 'COMBO') options = Array.isArray(opts.options) ? opts.options.filter(isOption) : [];
	}
	const forceInput = opts.forceInput === true;
	const kind: InputKind = PRIMITIVE_KINDS.has(type) ? (type as InputKind) : 'LINK';
	const spec: InputSpec = {
		name,
		section,
		type,
		kind,
		isWidget: kind !== 'LINK' && !forceInput,
		extraWidgetSlots: 0
	};
	if (options) spec.options = options;
	if (typeof opts.min === 'number') spec.min = opts.min;
	if (typeof opts.max === 'number') spec.max = opts.max;
	if (typeof opts.step === 'number') spec.step = opts.step;
	if (typeof opts.round === 'number' || opts.round === false) spec.round = opts.round;
	if (typeof opts.multiline === 'boolean') spec.multiline = opts.multiline;
	if (typeof opts.tooltip === 'string') spec.tooltip = opts.tooltip;
	if (opts.dynamicPrompts === true) spec.dynamicPrompts = true;
	if ('default' in opts) spec.default = opts.default;
	if (spec.isWidget) {
		// The editor's rule: an explicit flag wins; otherwise INT inputs named seed/noise_seed get the control.
		const control =
			typeof opts.control_after_generate === 'boolean' || typeof opts.control_after_generate === 'string'
				? opts.control_after_generate !== false
				: kind === 'INT' && (name === 'seed' || name === 'noise_seed');
		if (control && (kind === 'INT' || kind === 'FLOAT' || kind === 'COMBO')) {
			spec.controlAfterGenerate = true;
			// Combos get a second hidden widget, the filter list, after the control.
			spec.extraWidgetSlots += kind === 'COMBO' ? 2 : 1;
		}
		const upload = uploadKind(opts);
		if (kind === 'COMBO' && upload) {
			spec.upload = upload;
			spec.extraWidgetSlots += 1;
		}
	}
	return spec;
}

/** A class's inputs (required, then optional; hidden ones excluded) in widget order. */
export function getInputSpecs({ nodeDef }: { nodeDef: NodeDef }): InputSpec[] {
	const out: InputSpec[] = [];
	for (const section of ['required', 'optional'] as const) {
		const inputs = nodeDef.input[section];
		if (!inputs) continue;
		const declared = nodeDef.input_order?.[section];
		const names = declared
			? [...declared, ...Object.keys(inputs).filter((n) => !declared.includes(n))]
			: Object.keys(inputs);
		for (const name of names) {
			if (!Object.hasOwn(inputs, name)) continue;
			out.push(normalizeInputSpec({ name, raw: inputs[name], section }));
		}
	}
	return out;
}

/** Convenience: the input specs of `classType`, or undefined when the server does not know the class. */
export function getClassInputs({
	objectInfo,
	classType
}: {
	objectInfo: ObjectInfo;
	classType: string;
}): InputSpec[] | undefined {
	const nodeDef = getNodeDef({ objectInfo, classType });
	return nodeDef ? getInputSpecs({ nodeDef }) : undefined;
}

/** Output socket types of a class; list-typed (combo) outputs report `COMBO`. */
export function getOutputTypes({ nodeDef }: { nodeDef: NodeDef }): string[] {
	return nodeDef.output.map((t) => (typeof t === 'string' ? t : Array.isArray(t) ? 'COMBO' : 'UNKNOWN'));
}

/** The value a fresh widget gets in the editor when the workflow does not store one. */
export function defaultWidgetValue({ spec }: { spec: InputSpec }): unknown {
	if (spec.default !== undefined) return spec.default;
	switch (spec.kind) {
		case 'INT':
		case 'FLOAT':
			return spec.min !== undefined && spec.min > 0 ? spec.min : 0;
		case 'BOOLEAN':
			return false;
		case 'STRING':
			return '';
		case 'COMBO':
			return spec.options?.[0];
		default:
			return undefined;
	}
}

const MODEL_INPUT_NAME = /(^|_)(ckpt|name\d*)$|^model_path$|^text_encoder$|_model$/;
const MODEL_FILE = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft|onnx|pkl)$/i;

/**
 * Whether a COMBO lists files of a server model folder (checkpoints, LoRAs, VAEs…): such lists change when the
 * user adds models, so the UI refreshes them and the checker reports a value that is missing as a missing model.
 */
export function isModelInput({ nodeDef, spec }: { nodeDef: NodeDef; spec: InputSpec }): boolean {
	if (spec.kind !== 'COMBO' || spec.upload) return false;
	if (spec.options?.some((o) => typeof o === 'string' && MODEL_FILE.test(o))) return true;
	const loader = /loader/i.test(nodeDef.category ?? '') || /Loader/.test(nodeDef.name ?? '');
	return loader && MODEL_INPUT_NAME.test(spec.name) && !/^(type|device|weight_dtype)$/.test(spec.name);
}

/** Keys that must never become properties of objects the app builds from untrusted JSON. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOption(value: unknown): value is string | number {
	return typeof value === 'string' || typeof value === 'number';
}

function uploadKind(opts: Record<string, unknown>): UploadKind | undefined {
	if (opts.image_upload === true) return 'image';
	if (opts.animated_image_upload === true) return 'animated_image';
	if (opts.video_upload === true) return 'video';
	if (opts.audio_upload === true) return 'audio';
	return undefined;
}
