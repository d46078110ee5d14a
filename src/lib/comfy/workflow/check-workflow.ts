/**
 * Checks an API workflow against a server's `/object_info` before it is saved or queued, so the user hears about
 * missing custom nodes, missing models, broken links, cycles and missing outputs in plain words instead of
 * through a 400 from `POST /prompt`.
 */
import {
	getInputSpecs,
	getNodeDef,
	getOutputTypes,
	isModelInput,
	type InputSpec,
	type NodeDef,
	type ObjectInfo
} from './object-info';
import { isApiLink, quote, type ApiNode, type ApiWorkflow, type WorkflowIssue } from './types';

/** Names a node for a message: `node 3 (KSampler)` or `node 3 "My sampler" (KSampler)`. */
export function describeNode({ id, node }: { id: string; node: ApiNode | undefined }): string {
	if (!node) return `node ${quote(id)}`;
	const title = node._meta?.title;
	return `node ${id}${title ? ` ${quote(title)}` : ''} (${quote(node.class_type).slice(1, -1)})`;
}

/**
 * Everything wrong with `api` for this server, errors first. An empty list means the server should accept it
 * (runtime failures aside).
 */
export function checkWorkflow({
	api,
	objectInfo
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
}): WorkflowIssue[] {
	const issues: WorkflowIssue[] = [];
	const ids = Object.keys(api);
	if (ids.length === 0) {
		return [{ severity: 'error', code: 'empty', message: 'The workflow has no nodes.' }];
	}
	const unknown = new Map<string, string[]>();
	const missingModels = new Map<string, { nodeId: string; input: string }[]>();
	let hasOutput = false;
	for (const id of ids) {
		const node = api[id]!;
		const nodeDef = getNodeDef({ objectInfo, classType: node.class_type });
		if (!nodeDef) {
			unknown.set(node.class_type, [...(unknown.get(node.class_type) ?? []), id]);
			checkLinksOnly(api, id, node, issues);
			continue;
		}
		if (nodeDef.output_node === true) hasOutput = true;
		for (const spec of getInputSpecs({ nodeDef })) {
			checkInput({ api, objectInfo, id, node, nodeDef, spec, issues, missingModels });
		}
	}
	for (const [classType, nodes] of unknown) {
		issues.push({
			severity: 'error',
			code: 'unknown-class',
			classType,
			nodeId: nodes[0],
			message: `This server has no node type ${quote(classType)} (used by ${plural(nodes.length, 'node')} ${nodes.join(', ')}). Install the custom node pack that provides it (for example with ComfyUI-Manager), restart ComfyUI and reconnect.`
		});
	}
	for (const [model, uses] of missingModels) {
		issues.push({
			severity: 'error',
			code: 'missing-model',
			nodeId: uses[0]?.nodeId,
			inputName: uses[0]?.input,
			message: `The model ${quote(model)} is not on this server (needed by ${uses.map((u) => `node ${u.nodeId} input ${quote(u.input)}`).join(', ')}). Put it in the matching ComfyUI models folder, or pick another one.`
		});
	}
	const cycle = findCycle(api);
	if (cycle) {
		issues.push({
			severity: 'error',
			code: 'cycle',
			nodeId: cycle[0],
			message: `The workflow loops back on itself (${cycle.join(' → ')}); ComfyUI cannot run a cycle. Remove one of those links.`
		});
	}
	if (!hasOutput) {
		issues.push({
			severity: 'error',
			code: 'no-output',
			message:
				unknown.size > 0
					? 'None of the node types this server knows is an output (Save Image, Preview Image…), and the unknown ones cannot be checked. Install the missing node packs or add an output node.'
					: 'The workflow has no output node (such as Save Image or Preview Image), so ComfyUI would refuse it. Add one in ComfyUI and export again.'
		});
	}
	const rank = { error: 0, warning: 1, info: 2 } as const;
	return issues.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function checkInput({
	api,
	objectInfo,
	id,
	node,
	nodeDef,
	spec,
	issues,
	missingModels
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	id: string;
	node: ApiNode;
	nodeDef: NodeDef;
	spec: InputSpec;
	issues: WorkflowIssue[];
	missingModels: Map<string, { nodeId: string; input: string }[]>;
}): void {
	const where = `${describeNode({ id, node })}, input ${quote(spec.name)}`;
	const base = { nodeId: id, classType: node.class_type, inputName: spec.name };
	if (!Object.hasOwn(node.inputs, spec.name)) {
		if (spec.section === 'required') {
			issues.push({
				...base,
				severity: 'error',
				code: 'missing-input',
				message: `${where} is required but not ${spec.kind === 'LINK' ? 'connected' : 'set'}.`
			});
		}
		return;
	}
	const value = node.inputs[spec.name];
	if (isApiLink(value)) {
		checkLink({
			api,
			objectInfo,
			where,
			base,
			link: value,
			expected: spec.kind === 'COMBO' ? 'COMBO' : spec.type,
			issues
		});
		return;
	}
	if (spec.kind === 'LINK') {
		issues.push({
			...base,
			severity: 'error',
			code: 'link-expected',
			message: `${where} must be connected to another node's ${quote(spec.type)} output, not set to a value.`
		});
		return;
	}
	const problem = valueProblem(spec, value);
	if (!problem) return;
	if (spec.kind === 'COMBO' && problem === 'not-in-list' && isModelInput({ nodeDef, spec })) {
		const key = String(value);
		missingModels.set(key, [...(missingModels.get(key) ?? []), { nodeId: id, input: spec.name }]);
		return;
	}
	if (spec.kind === 'COMBO' && problem === 'not-in-list' && spec.upload) {
		issues.push({
			...base,
			severity: 'warning',
			code: 'missing-upload',
			message: `${where}: the file ${quote(value)} is not on this server; upload it or choose another before running.`
		});
		return;
	}
	issues.push({
		...base,
		severity: 'error',
		code: `invalid-value`,
		message: `${where}: ${describeProblem(spec, value, problem)}`
	});
}

type ValueProblem = 'type' | 'integer' | 'min' | 'max' | 'not-in-list';

/** What is wrong with a literal widget value, if anything (the checks the server makes). */
export function valueProblem(spec: InputSpec, value: unknown): ValueProblem | undefined {
	switch (spec.kind) {
		case 'INT':
		case 'FLOAT':
			if (typeof value !== 'number' || !Number.isFinite(value)) return 'type';
			if (spec.kind === 'INT' && !Number.isInteger(value)) return 'integer';
			if (spec.min !== undefined && value < spec.min) return 'min';
			if (spec.max !== undefined && value > spec.max) return 'max';
			return undefined;
		case 'BOOLEAN':
			return typeof value === 'boolean' ? undefined : 'type';
		case 'STRING':
			return typeof value === 'string' ? undefined : 'type';
		case 'COMBO':
			return spec.options?.includes(value as string) ? undefined : 'not-in-list';
		default:
			return undefined;
	}
}

function describeProblem(spec: InputSpec, value: unknown, problem: ValueProblem): string {
	const shown = quote(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)), 60);
	switch (problem) {
		case 'type':
			return `${shown} is not a valid ${spec.kind === 'BOOLEAN' ? 'true/false value' : spec.kind === 'STRING' ? 'text' : 'number'}.`;
		case 'integer':
			return `${shown} must be a whole number.`;
		case 'min':
			return `${shown} is below the minimum ${spec.min}.`;
		case 'max':
			return `${shown} is above the maximum ${spec.max}.`;
		case 'not-in-list': {
			const options = spec.options ?? [];
			const listed = options
				.slice(0, 8)
				.map((o) => quote(o, 40))
				.join(', ');
			return options.length === 0
				? `${shown} is not available: this server offers no choices here.`
				: `${shown} is not one of the choices (${listed}${options.length > 8 ? `, … ${options.length} in all` : ''}).`;
		}
	}
}

function checkLink({
	api,
	objectInfo,
	where,
	base,
	link,
	expected,
	issues
}: {
	api: ApiWorkflow;
	objectInfo: ObjectInfo;
	where: string;
	base: Pick<WorkflowIssue, 'nodeId' | 'classType' | 'inputName'>;
	link: [string, number];
	expected: string | undefined;
	issues: WorkflowIssue[];
}): void {
	const [sourceId, slot] = link;
	const source = Object.hasOwn(api, sourceId) ? api[sourceId] : undefined;
	if (!source) {
		issues.push({
			...base,
			severity: 'error',
			code: 'link-missing-node',
			message: `${where} is connected to node ${quote(sourceId)}, which is not in the workflow.`
		});
		return;
	}
	const sourceDef = getNodeDef({ objectInfo, classType: source.class_type });
	if (!sourceDef) return; // reported as an unknown class
	const outputs = getOutputTypes({ nodeDef: sourceDef });
	const produced = outputs[slot];
	if (produced === undefined) {
		issues.push({
			...base,
			severity: 'error',
			code: 'link-bad-slot',
			message: `${where} is connected to output ${slot} of ${describeNode({ id: sourceId, node: source })}, which has only ${plural(outputs.length, 'output')}.`
		});
		return;
	}
	if (expected && !typesCompatible(produced, expected)) {
		issues.push({
			...base,
			severity: 'error',
			code: 'link-type-mismatch',
			message: `${where} expects ${quote(expected)} but is connected to a ${quote(produced)} output of ${describeNode({ id: sourceId, node: source })}.`
		});
	}
}

function checkLinksOnly(api: ApiWorkflow, id: string, node: ApiNode, issues: WorkflowIssue[]): void {
	for (const [name, value] of Object.entries(node.inputs)) {
		if (isApiLink(value) && !Object.hasOwn(api, value[0])) {
			issues.push({
				severity: 'error',
				code: 'link-missing-node',
				nodeId: id,
				inputName: name,
				message: `${describeNode({ id, node })}, input ${quote(name)} is connected to node ${quote(value[0])}, which is not in the workflow.`
			});
		}
	}
}

/** The server's rule: equal, `*` on either side, or comma-separated unions that share a type. */
export function typesCompatible(produced: string, expected: string): boolean {
	if (produced === expected || produced === '*' || expected === '*') return true;
	const a = produced.split(',').map((t) => t.trim());
	const b = expected.split(',').map((t) => t.trim());
	return a.some((t) => b.includes(t));
}

/** One cycle (as node ids, first repeated at the end), or undefined. */
export function findCycle(api: ApiWorkflow): string[] | undefined {
	const state = new Map<string, 1 | 2>(); // 1 visiting, 2 done
	const ids = Object.keys(api);
	for (const start of ids) {
		if (state.has(start)) continue;
		// Iterative DFS over "depends on" edges: node → the nodes its inputs link to.
		const stack: { id: string; deps: string[]; i: number }[] = [
			{ id: start, deps: depsOf(api, start), i: 0 }
		];
		state.set(start, 1);
		while (stack.length > 0) {
			const top = stack[stack.length - 1]!;
			if (top.i >= top.deps.length) {
				state.set(top.id, 2);
				stack.pop();
				continue;
			}
			const next = top.deps[top.i++]!;
			const s = state.get(next);
			if (s === 1) {
				const from = stack.findIndex((f) => f.id === next);
				return [...stack.slice(from).map((f) => f.id), next].reverse();
			}
			if (s === undefined) {
				state.set(next, 1);
				stack.push({ id: next, deps: depsOf(api, next), i: 0 });
			}
		}
	}
	return undefined;
}

function depsOf(api: ApiWorkflow, id: string): string[] {
	const node = api[id];
	if (!node) return [];
	return Object.values(node.inputs)
		.filter(isApiLink)
		.map((l) => l[0])
		.filter((dep) => Object.hasOwn(api, dep));
}

function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}
