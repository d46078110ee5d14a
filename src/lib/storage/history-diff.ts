// What differs between two runs of History (the detail's comparison).
import type { StoredJob } from './jobs';

/** One parameter (or workflow input) that differs between two runs. */
export interface ParameterChange {
	key: string;
	/** Value in this run; undefined when it has none. */
	left: unknown;
	/** Value in the other run. */
	right: unknown;
}

/**
 * What differs between two runs: their form parameters when both have them, else the literal inputs of their
 * workflows (`<node id>.<input>`). Keys keep this run's order, then the other run's extra ones.
 */
export function diffRuns(left: StoredJob, right: StoredJob): ParameterChange[] {
	const a = left.app.parameters;
	const b = right.app.parameters;
	const flat = a && b ? [a, b] : [workflowInputs(left), workflowInputs(right)];
	const [l, r] = flat as [Record<string, unknown>, Record<string, unknown>];
	const keys = [...new Set([...Object.keys(l), ...Object.keys(r)])];
	return keys
		.filter((key) => !sameValue(l[key], r[key]))
		.map((key) => ({ key, left: l[key], right: r[key] }));
}

function workflowInputs(job: StoredJob): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [nodeId, node] of Object.entries(job.workflow ?? {})) {
		for (const [input, value] of Object.entries(node?.inputs ?? {})) {
			// Links ([node, slot]) are the graph, not settings.
			if (Array.isArray(value)) continue;
			out[`${nodeId}.${input}`] = value;
		}
	}
	return out;
}

function sameValue(a: unknown, b: unknown): boolean {
	return a === b || JSON.stringify(a) === JSON.stringify(b);
}
