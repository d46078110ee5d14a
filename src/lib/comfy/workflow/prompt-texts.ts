// Where a sampler's prompt texts come from: its positive/negative inputs (or its guider's), walked upstream
// through conditioning nodes (ControlNet apply, combine, …) to the multiline text widgets that produce them.
import { getInputSpecs, getNodeDef, getOutputTypes, type ObjectInfo } from './object-info';
import { isApiLink, type ApiWorkflow } from './types';

/** Core nodes that hold one value other nodes take through a link. */
export const PRIMITIVES = new Set([
	'PrimitiveInt',
	'PrimitiveFloat',
	'PrimitiveString',
	'PrimitiveStringMultiline',
	'PrimitiveBoolean'
]);
const FOLLOWED_TYPES = new Set(['CONDITIONING', 'GUIDER']);

/** The inputs a sampler draws positive (or negative) conditioning from. */
export function conditioningRoots(
	api: ApiWorkflow,
	samplerId: string,
	polarity: 'positive' | 'negative'
): [string, number][] {
	const node = api[samplerId]!;
	const direct = node.inputs[polarity];
	if (isApiLink(direct)) return [direct];
	const guider = node.inputs.guider;
	if (!isApiLink(guider)) return [];
	const guiderNode = api[guider[0]];
	if (!guiderNode) return [];
	const fromGuider =
		guiderNode.inputs[polarity] ?? (polarity === 'positive' ? guiderNode.inputs.conditioning : undefined);
	return isApiLink(fromGuider) ? [fromGuider] : [];
}

/** Walks upstream through conditioning nodes to the text widgets that produce it. */
export function findTexts(
	ctx: { api: ApiWorkflow; objectInfo: ObjectInfo },
	start: [string, number],
	polarity: 'positive' | 'negative'
): { nodeId: string; input: string; value: unknown }[] {
	const found: { nodeId: string; input: string; value: unknown }[] = [];
	const seen = new Set<string>();
	const queue: [string, number][] = [start];
	while (queue.length > 0 && seen.size < 64) {
		const [id, slot] = queue.shift()!;
		if (seen.has(id)) continue;
		seen.add(id);
		const node = ctx.api[id];
		const nodeDef = node ? getNodeDef({ objectInfo: ctx.objectInfo, classType: node.class_type }) : undefined;
		if (!node || !nodeDef) continue;
		const specs = getInputSpecs({ nodeDef });
		const texts = specs.filter((spec) => spec.kind === 'STRING' && spec.multiline && spec.isWidget);
		if (texts.length > 0) {
			for (const spec of texts) {
				const value = node.inputs[spec.name];
				if (typeof value === 'string') found.push({ nodeId: id, input: spec.name, value });
				else if (isApiLink(value)) {
					const source = ctx.api[value[0]];
					if (source && PRIMITIVES.has(source.class_type) && typeof source.inputs.value === 'string') {
						found.push({ nodeId: value[0], input: 'value', value: source.inputs.value });
					}
				}
			}
			continue;
		}
		// Nodes with both positive and negative (ControlNet apply…): follow the side this output carries.
		const outName = String(
			nodeDef.output_name?.[slot] ?? getOutputTypes({ nodeDef })[slot] ?? ''
		).toLowerCase();
		const hasBoth =
			specs.some((spec) => spec.name === 'positive') && specs.some((spec) => spec.name === 'negative');
		const side = hasBoth
			? outName.includes('negative')
				? 'negative'
				: outName.includes('positive')
					? 'positive'
					: polarity
			: undefined;
		for (const spec of specs) {
			if (!FOLLOWED_TYPES.has(spec.type)) continue;
			if (side && (spec.name === 'positive' || spec.name === 'negative') && spec.name !== side) continue;
			const value = node.inputs[spec.name];
			if (isApiLink(value)) queue.push(value);
		}
	}
	return found;
}
