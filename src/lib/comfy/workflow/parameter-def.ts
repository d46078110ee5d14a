/**
 * A template parameter: one form field bound to one or more inputs of the API workflow. Stored in templates and
 * share links, so it has a zod schema.
 */
import * as z from 'zod/mini';

/**
 * Field kinds. `IMAGE`, `VIDEO` and `AUDIO` are combos of the server's input files with an upload button
 * (`image_upload` or `animated_image_upload`, `video_upload`, `audio_upload` in `/object_info`).
 */
export const zParameterKind = z.enum([
	'INT',
	'FLOAT',
	'STRING',
	'BOOLEAN',
	'COMBO',
	'IMAGE',
	'VIDEO',
	'AUDIO'
]);
export type ParameterKind = z.infer<typeof zParameterKind>;

/** The kinds whose value is a file in the server's input folder (or `name [output]`). */
export type FileParameterKind = 'IMAGE' | 'VIDEO' | 'AUDIO';

/** The field kind of a combo with each upload flag. */
export const UPLOAD_PARAMETER_KIND: Record<
	'image' | 'animated_image' | 'video' | 'audio',
	FileParameterKind
> = {
	image: 'IMAGE',
	animated_image: 'IMAGE',
	video: 'VIDEO',
	audio: 'AUDIO'
};

/** Whether a field holds a server file (an image, a video or an audio file) and offers an upload. */
export function isFileParameter(p: { kind: ParameterKind }): p is { kind: FileParameterKind } {
	return p.kind === 'IMAGE' || p.kind === 'VIDEO' || p.kind === 'AUDIO';
}

/** How a seed changes between runs. */
export const zSeedMode = z.enum(['fixed', 'random', 'increment']);
export type SeedMode = z.infer<typeof zSeedMode>;

/** One input the parameter writes. */
export const zParameterTarget = z.object({
	nodeId: z.string().check(z.minLength(1)),
	input: z.string().check(z.minLength(1))
});
export type ParameterTarget = z.infer<typeof zParameterTarget>;

/** Letters, digits, `_` and `-`: safe and readable in a URL query. */
export const PARAMETER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const zScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const zParameterDef = z.object({
	/** Stable key, used in URLs (`?seed=…`): lowercase letters, digits, `_`, `-`. */
	id: z.string().check(z.regex(PARAMETER_ID)),
	label: z.string().check(z.minLength(1), z.maxLength(200)),
	kind: zParameterKind,
	/** Form section: "Prompt", "Sampling", "Size", "Model", "LoRA", "Image", or a user-chosen name. */
	group: z.string().check(z.maxLength(200)),
	targets: z.array(zParameterTarget).check(z.minLength(1)),
	default: zScalar,
	min: z.optional(z.number()),
	max: z.optional(z.number()),
	step: z.optional(z.number().check(z.positive())),
	/** FLOAT rounding the server applies; `false` = none. */
	round: z.optional(z.union([z.number().check(z.positive()), z.literal(false)])),
	/** COMBO/IMAGE choices as the server listed them when the template was made. */
	options: z.optional(z.array(z.union([z.string(), z.number()]))),
	/** The options are a server model folder: refresh them from `/object_info` before showing the form. */
	modelList: z.optional(z.boolean()),
	multiline: z.optional(z.boolean()),
	required: z.boolean(),
	/** Hidden parameters keep their default and are not shown in the form. */
	hidden: z.boolean(),
	/** Present on seeds: what happens to the value after each run. */
	seedMode: z.optional(zSeedMode),
	tooltip: z.optional(z.string().check(z.maxLength(2000)))
});
export type ParameterDef = z.infer<typeof zParameterDef>;

/** A value of a parameter in a form (IMAGE: the server-side file name). */
export type ParameterValue = string | number | boolean | null;

/** The form: parameter id → value. */
export type FormValues = Record<string, ParameterValue>;
