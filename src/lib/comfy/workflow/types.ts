/**
 * The two workflow formats ComfyUI uses, and the issue type every module of this folder reports problems with.
 *
 * - API format (what `POST /prompt` takes): `{ "<node id>": { class_type, inputs, _meta? } }`; an input is a literal
 *   value or a link `["<node id>", <output index>]`.
 * - UI format (what the editor saves): `{ nodes, links, groups, extra, version, definitions? }`. Only the fields the
 *   converter reads are checked; everything else passes through.
 */
import * as z from 'zod/mini';

/** A link in an API workflow: `[node id, output index]`. */
export const zApiLink = z.tuple([z.string(), z.int().check(z.nonnegative())]);
export type ApiLink = z.infer<typeof zApiLink>;

/** One node of an API-format workflow. */
export const zApiNode = z.looseObject({
	class_type: z.string().check(z.minLength(1)),
	inputs: z.record(z.string(), z.unknown()),
	_meta: z.optional(z.looseObject({ title: z.optional(z.string()) }))
});
export type ApiNode = z.infer<typeof zApiNode>;

/** An API-format workflow: node id → node. */
export const zApiWorkflow = z.record(z.string(), zApiNode);
export type ApiWorkflow = z.infer<typeof zApiWorkflow>;

/** Whether an API input value is a link to another node's output. */
export function isApiLink(value: unknown): value is ApiLink {
	return (
		Array.isArray(value) &&
		value.length === 2 &&
		typeof value[0] === 'string' &&
		typeof value[1] === 'number' &&
		Number.isInteger(value[1]) &&
		value[1] >= 0
	);
}

const zNodeId = z.union([z.number(), z.string()]);

/** An input socket of a UI node. `widget` marks a widget shown as (or converted to) an input. */
export const zUiInput = z.looseObject({
	name: z.string(),
	type: z.optional(z.unknown()),
	link: z.nullish(z.number()),
	label: z.optional(z.string()),
	widget: z.nullish(z.looseObject({ name: z.string() }))
});
export type UiInput = z.infer<typeof zUiInput>;

/** An output socket of a UI node. */
export const zUiOutput = z.looseObject({
	name: z.optional(z.string()),
	type: z.optional(z.unknown()),
	links: z.nullish(z.array(z.number()))
});

/** One node of the editor's graph. */
export const zUiNode = z.looseObject({
	id: zNodeId,
	type: z.string(),
	mode: z.optional(z.number()),
	title: z.optional(z.string()),
	inputs: z.nullish(z.array(zUiInput)),
	outputs: z.nullish(z.array(zUiOutput)),
	properties: z.nullish(z.record(z.string(), z.unknown())),
	// Usually an array; some custom nodes store an object keyed by widget name.
	widgets_values: z.nullish(z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]))
});
export type UiNode = z.infer<typeof zUiNode>;

/** `[id, origin_id, origin_slot, target_id, target_slot, type]` (classic) or the object form newer editors write. */
export const zUiLink = z.union([
	z.tuple([z.number(), zNodeId, z.number(), zNodeId, z.number()], z.unknown()),
	z.looseObject({
		id: z.number(),
		origin_id: zNodeId,
		origin_slot: z.number(),
		target_id: zNodeId,
		target_slot: z.number(),
		type: z.optional(z.unknown())
	})
]);
export type UiLink = z.infer<typeof zUiLink>;

/** A subgraph definition (`definitions.subgraphs[]`): a graph whose boundary nodes have ids -10 (in) and -20 (out). */
export const zUiSubgraph = z.looseObject({
	id: z.string(),
	name: z.optional(z.string()),
	nodes: z.array(zUiNode),
	links: z._default(z.array(z.nullable(zUiLink)), []),
	inputs: z._default(z.array(z.looseObject({ name: z.string(), type: z.optional(z.unknown()) })), []),
	outputs: z._default(z.array(z.looseObject({ name: z.string(), type: z.optional(z.unknown()) })), [])
});
export type UiSubgraph = z.infer<typeof zUiSubgraph>;

/** A UI-format workflow as ComfyUI's editor saves it. */
export const zUiWorkflow = z.looseObject({
	nodes: z.array(zUiNode),
	// Some editors leave null holes where links were deleted.
	links: z.nullish(z.array(z.nullable(zUiLink))),
	groups: z.nullish(z.array(z.unknown())),
	extra: z.nullish(z.record(z.string(), z.unknown())),
	definitions: z.nullish(z.looseObject({ subgraphs: z.optional(z.array(zUiSubgraph)) })),
	version: z.optional(z.number())
});
export type UiWorkflow = z.infer<typeof zUiWorkflow>;

/** How bad a problem is: `error` blocks saving/running, `warning` deserves a look, `info` is for the record. */
export type IssueSeverity = 'error' | 'warning' | 'info';

/**
 * One problem found while importing, converting or checking a workflow. `message` is plain text for the user
 * (render it as text, never as HTML); `code` is stable for tests and UI logic.
 */
export interface WorkflowIssue {
	severity: IssueSeverity;
	code: string;
	message: string;
	nodeId?: string;
	classType?: string;
	inputName?: string;
}

/** Shortens untrusted text (class names, titles) quoted in a message and strips control characters. */
export function quote(text: unknown, max = 80): string {
	const s = String(text)
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f]/g, ' ')
		.trim();
	return `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"`;
}
