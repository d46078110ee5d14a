// Ids and labels of parameters: URL-safe ids, readable labels, and both made unique within a template.
import { getNodeDef, type ObjectInfo } from './object-info';
import { PARAMETER_ID, type ParameterDef } from './parameter-def';
import type { ApiNode, ApiWorkflow } from './types';

/** `wanted` as an id (slugged unless it is one), numbered when another parameter has it. */
export function uniqueId(existing: ParameterDef[], wanted: string): string {
	const base = PARAMETER_ID.test(wanted) ? wanted : slug(wanted);
	let id = base;
	for (let n = 2; existing.some((parameter) => parameter.id === id); n++) id = `${base.slice(0, 60)}_${n}`;
	return id;
}

/** `wanted`, or with the node's title (or node id) added when another parameter has that label. */
export function uniqueLabel(
	existing: ParameterDef[],
	wanted: string,
	{ api, objectInfo, nodeId }: { api: ApiWorkflow; objectInfo: ObjectInfo; nodeId: string }
): string {
	if (!existing.some((parameter) => parameter.label === wanted)) return wanted;
	const node: ApiNode | undefined = api[nodeId];
	const where = node?._meta?.title ?? displayName(objectInfo, node?.class_type ?? '', nodeId);
	const label = `${wanted} (${where})`;
	return existing.some((parameter) => parameter.label === label) ? `${wanted} (node ${nodeId})` : label;
}

/** What the editor calls a node: its display name and id. */
export function displayName(objectInfo: ObjectInfo, classType: string, id: string): string {
	const def = getNodeDef({ objectInfo, classType });
	return `${def?.display_name || classType} #${id}`;
}

/** `strength_model` → `Strength model`. */
export function humanize(name: string): string {
	const words = name.replace(/_/g, ' ').trim();
	return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A URL-safe id from any text: `LoRA 2 strength` → `lora_2_strength`. */
export function slug(text: string): string {
	const id = text
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.slice(0, 64);
	return id || 'param';
}
