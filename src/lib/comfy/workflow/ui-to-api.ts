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
import { quote, type ApiNode, type ApiWorkflow, type UiWorkflow, type WorkflowIssue } from './types';

import { ConversionFailure, flattenUiWorkflow, type FlatNode, type Source } from './ui-graph';

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

const CONTROL_VALUES = new Set(['fixed', 'increment', 'decrement', 'randomize']);

/**
 * Converts a UI-format workflow to the API format the server runs, using the server's `/object_info` for widget
 * names and order. Never throws: an impossible conversion is `{ ok: false, error }`.
 */
export function uiToApi({ ui, objectInfo }: { ui: UiWorkflow; objectInfo: ObjectInfo }): UiToApiResult {
	const warnings: WorkflowIssue[] = [];
	try {
		const flat = flattenUiWorkflow({ ui, objectInfo, warnings });
		applyPrimitives(flat, warnings);
		const { api, controls } = emit(flat, objectInfo, warnings);
		return { ok: true, api, warnings, controls };
	} catch (error) {
		if (error instanceof ConversionFailure) return { ok: false, error: error.issue };
		throw error;
	}
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
