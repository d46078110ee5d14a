/**
 * UI format → API format, the way ComfyUI's editor does it when it queues a prompt (`graphToPrompt`):
 *
 * - widget values are read from `widgets_values` in the order `/object_info` gives (see `getInputSpecs`), skipping
 *   the editor-only slots (`control_after_generate`, upload buttons);
 * - `PrimitiveNode`s write their value into the widgets they feed; `Reroute` nodes, native reroutes, subgraph
 *   boundaries and group-node boundaries are followed to the real origin;
 * - muted nodes (mode 2) are dropped with the links into them; bypassed nodes (mode 4) are dropped and each link
 *   through them goes to their first input of the same type (the slot with the same index first);
 * - notes, groups and other editor-only nodes are ignored;
 * - subgraphs (`definitions.subgraphs`) and legacy group nodes (`workflow>name`) are expanded; inner nodes get the
 *   ids the editor gives them (`<instance id>:<inner id>`).
 *
 * `_meta.title` is written only for nodes the user renamed (the editor stores `title` only then), so `deck:`
 * markers survive the conversion.
 */
import {
	defaultWidgetValue,
	getInputSpecs,
	getNodeDef,
	isPlainObject,
	UNSAFE_KEYS,
	UNSUPPORTED_WIDGET_TYPES,
	type InputSpec,
	type ObjectInfo
} from './object-info';
import {
	quote,
	type ApiNode,
	type ApiWorkflow,
	type UiLink,
	type UiNode,
	type UiSubgraph,
	type UiWorkflow,
	type WorkflowIssue
} from './types';

/** The value of an editor `control_after_generate` widget. `true` is what very old workflows stored. */
export type ControlMode = 'fixed' | 'increment' | 'decrement' | 'randomize';

/** A seed-like widget and the control the editor had set for it. */
export interface WidgetControl {
	nodeId: string;
	input: string;
	mode: ControlMode;
}

export type UiToApiResult =
	| { ok: true; api: ApiWorkflow; warnings: WorkflowIssue[]; controls: WidgetControl[] }
	| { ok: false; error: WorkflowIssue };

/** Editor-only node types that never reach the server. */
const NOTE_TYPES = new Set(['Note', 'MarkdownNote', 'PrimitiveNode', 'Reroute']);
const CONTROL_VALUES = new Set(['fixed', 'increment', 'decrement', 'randomize']);
const MAX_NODES = 20_000;
const MAX_DEPTH = 16;

interface Source {
	nodeId: string;
	slot: number;
}

interface FlatInput {
	name: string;
	type: unknown;
	source: Source | null;
	widgetName?: string;
}

interface FlatNode {
	id: string;
	type: string;
	/** real: sent to the server; pass: forwards input k to output k (reroutes, subgraph/group boundaries). */
	role: 'real' | 'pass' | 'primitive' | 'ignored';
	mode: number;
	title?: string;
	inputs: FlatInput[];
	widgetsValues: unknown;
	overrides: Map<string, unknown>;
}

class ConversionFailure extends Error {
	constructor(readonly issue: WorkflowIssue) {
		super(issue.message);
	}
}

/**
 * Converts a UI-format workflow to the API format the server runs, using the server's `/object_info` for widget
 * names and order. Never throws: an impossible conversion is `{ ok: false, error }`.
 */
export function uiToApi({ ui, objectInfo }: { ui: UiWorkflow; objectInfo: ObjectInfo }): UiToApiResult {
	const warnings: WorkflowIssue[] = [];
	try {
		const subgraphs = new Map<string, UiSubgraph>();
		for (const sg of ui.definitions?.subgraphs ?? []) subgraphs.set(sg.id, sg);
		const groupNodes = isPlainObject(ui.extra?.groupNodes) ? ui.extra.groupNodes : {};
		const flat = new Map<string, FlatNode>();
		const ctx: FlattenContext = { flat, subgraphs, groupNodes, warnings, objectInfo };
		flattenGraph(ctx, {
			nodes: ui.nodes,
			links: ui.links ?? [],
			prefix: '',
			inputPortal: undefined,
			depth: 0
		});
		applyPrimitives(flat, warnings);
		const { api, controls } = emit(flat, objectInfo, warnings);
		return { ok: true, api, warnings, controls };
	} catch (e) {
		if (e instanceof ConversionFailure) return { ok: false, error: e.issue };
		throw e;
	}
}

interface FlattenContext {
	flat: Map<string, FlatNode>;
	subgraphs: Map<string, UiSubgraph>;
	groupNodes: Record<string, unknown>;
	warnings: WorkflowIssue[];
	objectInfo: ObjectInfo;
}

interface LinkInfo {
	originId: string;
	originSlot: number;
	targetId: string;
	targetSlot: number;
}

function linkInfo(link: UiLink): [number, LinkInfo] {
	if (Array.isArray(link)) {
		return [
			link[0],
			{ originId: String(link[1]), originSlot: link[2], targetId: String(link[3]), targetSlot: link[4] }
		];
	}
	return [
		link.id,
		{
			originId: String(link.origin_id),
			originSlot: link.origin_slot,
			targetId: String(link.target_id),
			targetSlot: link.target_slot
		}
	];
}

function addNode(ctx: FlattenContext, node: FlatNode): void {
	if (ctx.flat.size >= MAX_NODES) {
		throw new ConversionFailure({
			severity: 'error',
			code: 'too-many-nodes',
			message: `The workflow has more than ${MAX_NODES} nodes once subgraphs are expanded; it cannot be imported.`
		});
	}
	if (ctx.flat.has(node.id)) {
		throw new ConversionFailure({
			severity: 'error',
			code: 'duplicate-node-id',
			nodeId: node.id,
			message: `Two nodes share the id ${quote(node.id)}: the file is damaged. Re-save it from ComfyUI.`
		});
	}
	ctx.flat.set(node.id, node);
}

function flattenGraph(
	ctx: FlattenContext,
	graph: {
		nodes: UiNode[];
		links: (UiLink | null)[];
		prefix: string;
		/** Flat id of the node standing for this subgraph's input boundary (-10). */
		inputPortal: string | undefined;
		depth: number;
	}
): { outputSources: Map<number, Source> } {
	const { prefix } = graph;
	const links = new Map<number, LinkInfo>();
	const outputSources = new Map<number, Source>();
	for (const raw of graph.links) {
		if (raw === null) continue;
		const [id, info] = linkInfo(raw);
		links.set(id, info);
		if (info.targetId === '-20') outputSources.set(info.targetSlot, mapOrigin(info));
	}
	function mapOrigin(info: LinkInfo): Source {
		if (info.originId === '-10' && graph.inputPortal)
			return { nodeId: graph.inputPortal, slot: info.originSlot };
		return { nodeId: prefix + info.originId, slot: info.originSlot };
	}
	function inputsOf(node: UiNode): FlatInput[] {
		return (node.inputs ?? []).map((input) => {
			const link = input.link === null || input.link === undefined ? undefined : links.get(input.link);
			return {
				name: input.name,
				type: input.type,
				source: link ? mapOrigin(link) : null,
				widgetName: input.widget?.name
			};
		});
	}

	for (const node of graph.nodes) {
		const id = prefix + String(node.id);
		const mode = node.mode ?? 0;
		const subgraph = ctx.subgraphs.get(node.type);
		const groupName = /^workflow[>/]/.test(node.type) ? node.type.slice('workflow>'.length) : undefined;
		const skipped = mode === 2 || mode === 4;
		if ((subgraph || groupName !== undefined) && !skipped) {
			if (graph.depth >= MAX_DEPTH) {
				throw new ConversionFailure({
					severity: 'error',
					code: 'subgraph-too-deep',
					nodeId: id,
					message: `Subgraphs are nested more than ${MAX_DEPTH} levels deep (or contain themselves) at node ${quote(id)}; the workflow cannot be converted.`
				});
			}
			if (subgraph) expandSubgraph(ctx, { node, id, subgraph, inputs: inputsOf(node), depth: graph.depth });
			else expandGroupNode(ctx, { node, id, name: groupName ?? '', inputs: inputsOf(node) });
			continue;
		}
		const role: FlatNode['role'] =
			node.type === 'PrimitiveNode'
				? 'primitive'
				: node.type === 'Reroute'
					? 'pass'
					: NOTE_TYPES.has(node.type)
						? 'ignored'
						: 'real';
		addNode(ctx, {
			id,
			type: node.type,
			role,
			mode,
			title: node.title,
			inputs: inputsOf(node),
			widgetsValues: node.widgets_values,
			overrides: new Map()
		});
	}
	return { outputSources };
}

function expandSubgraph(
	ctx: FlattenContext,
	{
		node,
		id,
		subgraph,
		inputs,
		depth
	}: { node: UiNode; id: string; subgraph: UiSubgraph; inputs: FlatInput[]; depth: number }
): void {
	// The input boundary forwards subgraph input k to whatever feeds the instance's input of the same name.
	const portalId = `${id}:-10`;
	addNode(ctx, {
		id: portalId,
		type: 'SubgraphInput',
		role: 'pass',
		mode: 0,
		inputs: subgraph.inputs.map((sgInput, k) => {
			const match = inputs.find((i) => i.name === sgInput.name) ?? inputs[k];
			return { name: sgInput.name, type: sgInput.type, source: match?.source ?? null };
		}),
		widgetsValues: undefined,
		overrides: new Map()
	});
	const before = new Set(ctx.flat.keys());
	const { outputSources } = flattenGraph(ctx, {
		nodes: subgraph.nodes,
		links: subgraph.links,
		prefix: `${id}:`,
		inputPortal: portalId,
		depth: depth + 1
	});
	// The instance forwards its output k to what feeds the output boundary's slot k.
	addNode(ctx, {
		id,
		type: node.type,
		role: 'pass',
		mode: 0,
		inputs: subgraph.outputs.map((o, k) => ({
			name: o.name,
			type: o.type,
			source: outputSources.get(k) ?? null
		})),
		widgetsValues: undefined,
		overrides: new Map()
	});
	// Promoted widgets: newer editors may store their values on the instance, in `proxyWidgets` order.
	const proxies = node.properties?.proxyWidgets;
	const values = node.widgets_values;
	if (Array.isArray(proxies) && Array.isArray(values) && values.length === proxies.length) {
		proxies.forEach((p, k) => {
			if (!Array.isArray(p) || p.length < 2) return;
			const inner = ctx.flat.get(`${id}:${String(p[0])}`);
			if (inner && !before.has(inner.id) && typeof p[1] === 'string') inner.overrides.set(p[1], values[k]);
		});
	}
}

function expandGroupNode(
	ctx: FlattenContext,
	{ node, id, name, inputs }: { node: UiNode; id: string; name: string; inputs: FlatInput[] }
): void {
	const def = Object.hasOwn(ctx.groupNodes, name) ? ctx.groupNodes[name] : undefined;
	if (!isPlainObject(def) || !Array.isArray(def.nodes)) {
		throw new ConversionFailure({
			severity: 'error',
			code: 'group-node-missing',
			nodeId: id,
			message: `Group node ${quote(node.type)} (node ${quote(id)}) has no definition in the file. Open the workflow in ComfyUI, ungroup or convert it to a subgraph, and save it again.`
		});
	}
	const innerNodes = def.nodes.filter(isPlainObject);
	const innerId = (index: number) => `${id}:${index}`;
	const indexOf = (n: Record<string, unknown>, pos: number) => (typeof n.index === 'number' ? n.index : pos);
	// Internal links: [origin index, origin slot, target index, target slot, …].
	const internal = new Map<string, Source>();
	const linkedOutputs = new Set<string>();
	for (const l of Array.isArray(def.links) ? def.links : []) {
		if (!Array.isArray(l) || l.length < 4 || !l.slice(0, 4).every((v) => typeof v === 'number')) continue;
		const [oi, os, ti, ts] = l as number[];
		internal.set(`${ti}:${ts}`, { nodeId: innerId(oi!), slot: os! });
		linkedOutputs.add(`${oi}:${os}`);
	}
	const external = new Set<string>();
	for (const e of Array.isArray(def.external) ? def.external : []) {
		if (Array.isArray(e) && e.length >= 2) external.add(`${String(e[0])}:${String(e[1])}`);
	}
	// The instance's inputs are the inner sockets not linked inside, in node order.
	const openInputs: { index: number; slot: number; name: string }[] = [];
	const openOutputs: Source[] = [];
	innerNodes.forEach((n, pos) => {
		const index = indexOf(n, pos);
		const ins = Array.isArray(n.inputs) ? n.inputs : [];
		ins.forEach((input, slot) => {
			if (isPlainObject(input) && !internal.has(`${index}:${slot}`) && !isPlainObject(input.widget)) {
				openInputs.push({ index, slot, name: String(input.name) });
			}
		});
		const outs = Array.isArray(n.outputs) ? n.outputs : [];
		outs.forEach((_o, slot) => {
			if (!linkedOutputs.has(`${index}:${slot}`) || external.has(`${index}:${slot}`)) {
				openOutputs.push({ nodeId: innerId(index), slot });
			}
		});
	});
	const instanceSource = (open: { name: string }, k: number): Source | null => {
		if (inputs.length === openInputs.length) return inputs[k]?.source ?? null;
		const byName = inputs.filter((i) => i.name === open.name || i.name.endsWith(` ${open.name}`));
		return byName.length === 1 ? (byName[0]?.source ?? null) : null;
	};
	// The group's widget values are the inner nodes' values concatenated; use them when the counts agree.
	const lengths = innerNodes.map((n) => (Array.isArray(n.widgets_values) ? n.widgets_values.length : 0));
	const outer = Array.isArray(node.widgets_values) ? node.widgets_values : undefined;
	const useOuter = outer !== undefined && outer.length === lengths.reduce((a, b) => a + b, 0);
	if (outer && outer.length > 0 && !useOuter) {
		ctx.warnings.push({
			severity: 'warning',
			code: 'group-node-widgets',
			nodeId: id,
			message: `Group node ${quote(node.type)}: its widget values do not line up with its inner nodes, so the inner nodes' saved values were used. Check the values.`
		});
	}
	let offset = 0;
	innerNodes.forEach((n, pos) => {
		const index = indexOf(n, pos);
		const count = lengths[pos] ?? 0;
		const parsedInputs: FlatInput[] = (Array.isArray(n.inputs) ? n.inputs : []).map((input, slot) => {
			const inp = isPlainObject(input) ? input : {};
			const own = internal.get(`${index}:${slot}`);
			const k = openInputs.findIndex((o) => o.index === index && o.slot === slot);
			const open = openInputs[k];
			return {
				name: String(inp.name ?? ''),
				type: inp.type,
				source: own ?? (open ? instanceSource(open, k) : null),
				widgetName:
					isPlainObject(inp.widget) && typeof inp.widget.name === 'string' ? inp.widget.name : undefined
			};
		});
		const type = typeof n.type === 'string' ? n.type : '';
		addNode(ctx, {
			id: innerId(index),
			type,
			role:
				type === 'PrimitiveNode'
					? 'primitive'
					: type === 'Reroute'
						? 'pass'
						: NOTE_TYPES.has(type)
							? 'ignored'
							: 'real',
			mode: typeof n.mode === 'number' ? n.mode : 0,
			title: typeof n.title === 'string' ? n.title : undefined,
			inputs: parsedInputs,
			widgetsValues: useOuter ? outer.slice(offset, offset + count) : n.widgets_values,
			overrides: new Map()
		});
		offset += count;
	});
	addNode(ctx, {
		id,
		type: node.type,
		role: 'pass',
		mode: 0,
		inputs: openOutputs.map((s) => ({ name: '', type: undefined, source: s })),
		widgetsValues: undefined,
		overrides: new Map()
	});
}

type Resolved = { kind: 'link'; source: Source } | { kind: 'primitive'; node: FlatNode } | { kind: 'none' };

/** Follows a link through reroutes, boundaries and bypassed nodes to the node that really produces the value. */
function resolve(flat: Map<string, FlatNode>, start: Source, consumerType: unknown): Resolved {
	let cur: Source | null = start;
	for (let guard = 0; cur && guard < 10_000; guard++) {
		const node = flat.get(cur.nodeId);
		if (!node) return { kind: 'link', source: cur };
		if (node.role === 'primitive') return { kind: 'primitive', node };
		if (node.role === 'ignored') return { kind: 'none' };
		if (node.role === 'pass') {
			cur = node.inputs[cur.slot]?.source ?? null;
			continue;
		}
		if (node.mode === 4) {
			const order: number[] = [cur.slot, ...node.inputs.keys()];
			const match: number | undefined = order.find((k) => node.inputs[k]?.type === consumerType);
			cur = match === undefined ? null : (node.inputs[match]?.source ?? null);
			continue;
		}
		return { kind: 'link', source: cur };
	}
	return { kind: 'none' };
}

/** Legacy `PrimitiveNode`s: write their value into every widget they feed (as the editor's applyToGraph does). */
function applyPrimitives(flat: Map<string, FlatNode>, warnings: WorkflowIssue[]): void {
	for (const node of flat.values()) {
		if (node.role !== 'real') continue;
		for (const input of node.inputs) {
			if (!input.source) continue;
			const r = resolve(flat, input.source, input.type);
			if (r.kind !== 'primitive') continue;
			const values = r.node.widgetsValues;
			if (!Array.isArray(values) || values.length === 0) {
				warnings.push({
					severity: 'warning',
					code: 'primitive-empty',
					nodeId: r.node.id,
					message: `Primitive node ${quote(r.node.id)} has no value; ${quote(input.widgetName ?? input.name)} of node ${quote(node.id)} keeps its own.`
				});
				continue;
			}
			node.overrides.set(input.widgetName ?? input.name, values[0]);
		}
	}
}

function emit(
	flat: Map<string, FlatNode>,
	objectInfo: ObjectInfo,
	warnings: WorkflowIssue[]
): { api: ApiWorkflow; controls: WidgetControl[] } {
	const api: ApiWorkflow = Object.create(null) as ApiWorkflow;
	const controls: WidgetControl[] = [];
	const unknownWarned = new Set<string>();
	for (const node of flat.values()) {
		if (node.role !== 'real' || node.mode === 2 || node.mode === 4) continue;
		if (UNSAFE_KEYS.has(node.id)) continue;
		const inputs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
		const nodeDef = getNodeDef({ objectInfo, classType: node.type });
		if (nodeDef) {
			const specs = getInputSpecs({ nodeDef });
			const widgets = readWidgets(node, specs, warnings, controls);
			for (const [name, value] of widgets) inputs[name] = wrapArray(value);
		} else if (isPlainObject(node.widgetsValues)) {
			// Some custom nodes save widgets by name: keep them so the server sees them once the pack is installed.
			for (const [name, value] of Object.entries(node.widgetsValues)) {
				if (!UNSAFE_KEYS.has(name)) inputs[name] = wrapArray(value);
			}
		} else if (
			Array.isArray(node.widgetsValues) &&
			node.widgetsValues.length > 0 &&
			!unknownWarned.has(node.type)
		) {
			unknownWarned.add(node.type);
			warnings.push({
				severity: 'warning',
				code: 'unknown-class-widgets',
				nodeId: node.id,
				classType: node.type,
				message: `The server does not know ${quote(node.type)}, so the widget values of its nodes could not be named and were left out. Install the custom node pack that provides it and import the workflow again.`
			});
		}
		for (const [name, value] of node.overrides) {
			if (!UNSAFE_KEYS.has(name)) inputs[name] = wrapArray(value);
		}
		for (const input of node.inputs) {
			if (!input.source || UNSAFE_KEYS.has(input.name)) continue;
			const r = resolve(flat, input.source, input.type);
			if (r.kind === 'link') inputs[input.name] = [r.source.nodeId, r.source.slot];
		}
		const apiNode: ApiNode = { inputs, class_type: node.type };
		if (node.title !== undefined) apiNode._meta = { title: node.title };
		api[node.id] = apiNode;
	}
	// Links into nodes that were dropped (muted, bypassed without a match, missing) go too, as in the editor.
	for (const node of Object.values(api)) {
		for (const [name, value] of Object.entries(node.inputs)) {
			if (
				Array.isArray(value) &&
				value.length === 2 &&
				typeof value[0] === 'string' &&
				!Object.hasOwn(api, value[0])
			) {
				delete node.inputs[name];
			}
		}
	}
	return { api: sortById(api), controls };
}

/** Reads a node's widget values in spec order, skipping the editor-only slots. */
function readWidgets(
	node: FlatNode,
	specs: InputSpec[],
	warnings: WorkflowIssue[],
	controls: WidgetControl[]
): Map<string, unknown> {
	const out = new Map<string, unknown>();
	const widgetSpecs = specs.filter((s) => s.isWidget);
	const raw = node.widgetsValues;
	const unsupported = specs.find((s) => UNSUPPORTED_WIDGET_TYPES.has(s.type));
	if (unsupported && Array.isArray(raw) && raw.length > 0) {
		warnings.push({
			severity: 'warning',
			code: 'unsupported-widget',
			nodeId: node.id,
			classType: node.type,
			message: `Node ${quote(node.id)} (${quote(node.type)}) has a ${quote(unsupported.type)} widget this app cannot edit; check its values after import.`
		});
	}
	if (isPlainObject(raw)) {
		for (const spec of widgetSpecs)
			out.set(spec.name, Object.hasOwn(raw, spec.name) ? raw[spec.name] : defaultWidgetValue({ spec }));
		return out;
	}
	const values = Array.isArray(raw) ? raw : [];
	let p = 0;
	let mismatch: string | undefined;
	widgetSpecs.forEach((spec, i) => {
		const laterCore = widgetSpecs.length - i - 1;
		const value = p < values.length ? values[p++] : defaultWidgetValue({ spec });
		if (!mismatch && p <= values.length && !fitsKind(spec, value)) mismatch = spec.name;
		out.set(spec.name, value);
		if (spec.controlAfterGenerate && p < values.length) {
			const control = values[p];
			if (typeof control === 'boolean' || (typeof control === 'string' && CONTROL_VALUES.has(control))) {
				p++;
				const mode: ControlMode =
					typeof control === 'string' ? (control as ControlMode) : control ? 'randomize' : 'fixed';
				controls.push({ nodeId: node.id, input: spec.name, mode });
				// Combos also store the control's filter text.
				if (spec.kind === 'COMBO' && values.length - p > laterCore) p++;
			}
		}
		// The upload button stores a value too ("image"); skip it when there is room for it.
		if (spec.upload && values.length - p > laterCore) p++;
	});
	if (mismatch) {
		warnings.push({
			severity: 'warning',
			code: 'widget-mismatch',
			nodeId: node.id,
			classType: node.type,
			inputName: mismatch,
			message: `The saved widget values of node ${quote(node.id)} (${quote(node.type)}) do not match what the server expects (first at ${quote(mismatch)}): the node may have changed since the workflow was saved. Check its values.`
		});
	}
	return out;
}

function fitsKind(spec: InputSpec, value: unknown): boolean {
	switch (spec.kind) {
		case 'INT':
		case 'FLOAT':
			return typeof value === 'number';
		case 'BOOLEAN':
			return typeof value === 'boolean';
		case 'STRING':
			return typeof value === 'string';
		case 'COMBO':
			return typeof value === 'string' || typeof value === 'number' || value === null;
		default:
			return true;
	}
}

/** Arrays mean links in the API format; the server unwraps `{__value__: […]}` back into a literal list. */
function wrapArray(value: unknown): unknown {
	return Array.isArray(value) ? { __value__: value } : value;
}

function sortById(api: ApiWorkflow): ApiWorkflow {
	const collator = new Intl.Collator('en', { numeric: true });
	const out: ApiWorkflow = {};
	for (const id of Object.keys(api).sort(collator.compare)) out[id] = api[id]!;
	return out;
}
