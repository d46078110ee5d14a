/**
 * What changed between two versions of a template, in sentences: its name and description, its parameters
 * (added, removed, moved, renamed, regrouped, shown or hidden, defaults, bounds, seed modes, bound inputs) and
 * its workflow (nodes added or removed, inputs changed).
 */
import type { ParameterDef, Template } from '$lib/comfy/workflow';

export interface TemplateDiff {
	template: string[];
	parameters: string[];
	workflow: string[];
}

const show = (v: unknown): string => {
	const text = v === undefined ? 'nothing' : JSON.stringify(v);
	return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

const FIELDS: { key: keyof ParameterDef; what: string }[] = [
	{ key: 'label', what: 'label' },
	{ key: 'group', what: 'group' },
	{ key: 'default', what: 'default' },
	{ key: 'min', what: 'minimum' },
	{ key: 'max', what: 'maximum' },
	{ key: 'step', what: 'step' },
	{ key: 'seedMode', what: 'seed mode' },
	{ key: 'required', what: 'required' },
	{ key: 'multiline', what: 'multiline' }
];

/** Changes from `from` (older) to `to` (newer). Empty lists mean no change of that kind. */
export function diffTemplates({ from, to }: { from: Template; to: Template }): TemplateDiff {
	const template: string[] = [];
	if (from.name !== to.name) template.push(`Name: ${show(from.name)} → ${show(to.name)}.`);
	if ((from.description ?? '') !== (to.description ?? '')) template.push('The description changed.');

	const parameters: string[] = [];
	const before = new Map(from.parameters.map((p) => [p.id, p]));
	const after = new Map(to.parameters.map((p) => [p.id, p]));
	for (const p of to.parameters) if (!before.has(p.id)) parameters.push(`Added ${show(p.label)} (${p.id}).`);
	for (const p of from.parameters)
		if (!after.has(p.id)) parameters.push(`Removed ${show(p.label)} (${p.id}).`);
	for (const p of to.parameters) {
		const old = before.get(p.id);
		if (!old) continue;
		const name = show(p.label);
		if (old.hidden !== p.hidden) parameters.push(`${name} is now ${p.hidden ? 'hidden' : 'shown'}.`);
		for (const { key, what } of FIELDS) {
			if (JSON.stringify(old[key]) !== JSON.stringify(p[key]))
				parameters.push(`${name}: ${what} ${show(old[key])} → ${show(p[key])}.`);
		}
		const targets = (x: ParameterDef) => x.targets.map((t) => `node ${t.nodeId} ${t.input}`).join(', ');
		if (targets(old) !== targets(p))
			parameters.push(`${name} now writes ${targets(p)} (was ${targets(old)}).`);
	}
	const common = (list: ParameterDef[], other: Map<string, ParameterDef>) =>
		list.filter((p) => other.has(p.id)).map((p) => p.id);
	if (common(from.parameters, after).join() !== common(to.parameters, before).join())
		parameters.push('The order of the fields changed.');

	const workflow: string[] = [];
	for (const id of Object.keys(to.api)) {
		if (!Object.hasOwn(from.api, id)) workflow.push(`Added node ${id} (${to.api[id]!.class_type}).`);
	}
	for (const id of Object.keys(from.api)) {
		if (!Object.hasOwn(to.api, id)) workflow.push(`Removed node ${id} (${from.api[id]!.class_type}).`);
	}
	for (const [id, node] of Object.entries(to.api)) {
		const old = Object.hasOwn(from.api, id) ? from.api[id] : undefined;
		if (!old) continue;
		if (old.class_type !== node.class_type) {
			workflow.push(`Node ${id}: ${old.class_type} → ${node.class_type}.`);
			continue;
		}
		const inputs = new Set([...Object.keys(old.inputs), ...Object.keys(node.inputs)]);
		for (const input of inputs) {
			const a = old.inputs[input];
			const b = node.inputs[input];
			if (JSON.stringify(a) !== JSON.stringify(b))
				workflow.push(`Node ${id} (${node.class_type}) ${input}: ${show(a)} → ${show(b)}.`);
		}
	}
	return { template, parameters, workflow };
}
