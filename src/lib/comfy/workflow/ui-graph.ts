/**
 * The first half of UI → API conversion: the editor's graph flattened into one map of nodes, with subgraphs and
 * legacy group nodes expanded (inner ids `<instance id>:<inner id>`, as the editor gives them), boundaries and
 * reroutes kept as pass-through nodes, and every link as a source on its target's input. `ui-to-api.ts` then
 * resolves the links and writes the prompt.
 */
import { isPlainObject, type ObjectInfo } from './object-info';
import {
	quote,
	type UiLink,
	type UiNode,
	type UiSubgraph,
	type UiWorkflow,
	type WorkflowIssue
} from './types';

/** Editor-only node types that never reach the server. */
const NOTE_TYPES = new Set(['Note', 'MarkdownNote', 'PrimitiveNode', 'Reroute']);
const MAX_NODES = 20_000;
const MAX_DEPTH = 16;

export interface Source {
	nodeId: string;
	slot: number;
}

export interface FlatInput {
	name: string;
	type: unknown;
	source: Source | null;
	widgetName?: string;
}

export interface FlatNode {
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

export class ConversionFailure extends Error {
	constructor(readonly issue: WorkflowIssue) {
		super(issue.message);
	}
}

/** Flattens `ui` (nodes, links, subgraphs, group nodes); throws `ConversionFailure` when it cannot. */
export function flattenUiWorkflow({
	ui,
	objectInfo,
	warnings
}: {
	ui: UiWorkflow;
	objectInfo: ObjectInfo;
	warnings: WorkflowIssue[];
}): Map<string, FlatNode> {
	const subgraphs = new Map<string, UiSubgraph>();
	for (const subgraph of ui.definitions?.subgraphs ?? []) subgraphs.set(subgraph.id, subgraph);
	const groupNodes = isPlainObject(ui.extra?.groupNodes) ? ui.extra.groupNodes : {};
	const flat = new Map<string, FlatNode>();
	flattenGraph(
		{ flat, subgraphs, groupNodes, warnings, objectInfo },
		{ nodes: ui.nodes, links: ui.links ?? [], prefix: '', inputPortal: undefined, depth: 0 }
	);
	return flat;
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
