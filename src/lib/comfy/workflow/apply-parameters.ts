/**
 * Form values → the API workflow to queue, and seed control between runs.
 */
import type { FormValues, ParameterDef, ParameterValue, SeedMode } from './parameter-def';
import { quote, type ApiWorkflow, type WorkflowIssue } from './types';

/**
 * A copy of `api` with every parameter's value (from `values`, else its default) written into all its targets.
 * The input workflow is not modified. A target whose node or input no longer exists is reported, not skipped
 * silently.
 */
export function applyParameters({
	api,
	parameters,
	values
}: {
	api: ApiWorkflow;
	parameters: ParameterDef[];
	values: FormValues;
}): { api: ApiWorkflow; issues: WorkflowIssue[] } {
	const out = structuredClone(api);
	const issues: WorkflowIssue[] = [];
	for (const p of parameters) {
		const value: ParameterValue = Object.hasOwn(values, p.id) ? (values[p.id] as ParameterValue) : p.default;
		for (const t of p.targets) {
			const node = Object.hasOwn(out, t.nodeId) ? out[t.nodeId] : undefined;
			if (!node) {
				issues.push({
					severity: 'error',
					code: 'target-missing',
					nodeId: t.nodeId,
					inputName: t.input,
					message: `Parameter ${quote(p.label)} writes to node ${quote(t.nodeId)}, which is not in the workflow any more. Edit the template to remove or rebind it.`
				});
				continue;
			}
			node.inputs[t.input] = value;
		}
	}
	return { api: out, issues };
}

/** The largest seed the editor's randomize produces (2^50): exactly representable in a JS number. */
export const MAX_RANDOM_SEED = 1125899906842624;

/**
 * The seed for the next run. `fixed` keeps it; `increment` adds one (wrapping to `min` past `max`); `random`
 * draws a whole number in [min, min(max, 2^50)]. `random01` is injectable for tests.
 */
export function nextSeed({
	mode,
	current,
	min = 0,
	max = MAX_RANDOM_SEED,
	random01 = secureRandom
}: {
	mode: SeedMode;
	current: number;
	min?: number;
	max?: number;
	random01?: () => number;
}): number {
	const lo = Math.ceil(min);
	switch (mode) {
		case 'fixed':
			return current;
		case 'increment': {
			const next = Math.floor(current) + 1;
			return next > Math.min(max, Number.MAX_SAFE_INTEGER) || next < lo ? lo : next;
		}
		case 'random': {
			const hi = Math.min(Math.floor(max), lo + MAX_RANDOM_SEED);
			return lo + Math.floor(random01() * (hi - lo + 1));
		}
	}
}

/** Seeds for the next run of a form: each seed parameter moves according to its mode. */
export function advanceSeeds({
	parameters,
	values,
	random01
}: {
	parameters: ParameterDef[];
	values: FormValues;
	random01?: () => number;
}): FormValues {
	const out: FormValues = { ...values };
	for (const p of parameters) {
		if (!p.seedMode || p.kind !== 'INT') continue;
		const current = Object.hasOwn(values, p.id) ? values[p.id] : p.default;
		out[p.id] = nextSeed({
			mode: p.seedMode,
			current: typeof current === 'number' ? current : 0,
			min: p.min,
			max: p.max,
			random01
		});
	}
	return out;
}

function secureRandom(): number {
	const buf = new Uint32Array(2);
	crypto.getRandomValues(buf);
	// 53 random bits → [0, 1).
	return ((buf[0]! >>> 5) * 67108864 + (buf[1]! >>> 6)) / 9007199254740992;
}
