// What tells one run from another at a glance (History cards): the prompt, the seed, the size and the model,
// read from the API workflow alone (no object_info: History may hold runs of servers long gone).
import { isApiLink, type ApiWorkflow } from './types';

/** A run's distinguishing values; each is missing when the workflow does not say. */
export interface RunSummary {
	prompt?: string;
	seed?: number;
	width?: number;
	height?: number;
	model?: string;
}

const SEED_INPUTS = ['seed', 'noise_seed'];
const TEXT_INPUTS = ['text', 'text_g', 'prompt', 'value'];
const MODEL_INPUTS = ['ckpt_name', 'unet_name', 'model_name'];
const MAX_PROMPT = 160;

/**
 * Summarises an API workflow: the positive prompt of its first sampler (followed upstream through links to the
 * first text), the seed (a literal or a primitive's value), the latent size, and the checkpoint's file name
 * without folder or extension.
 */
export function summarizeRun(options: { workflow: ApiWorkflow }): RunSummary {
	const api = options.workflow;
	const nodes = Object.entries(api);
	const sampler = nodes.find(([, node]) => SEED_INPUTS.some((name) => name in (node?.inputs ?? {})));
	const summary: RunSummary = {};
	if (sampler) {
		const inputs = sampler[1].inputs;
		const seed = valueOf(api, inputs.seed ?? inputs.noise_seed);
		if (typeof seed === 'number' && Number.isFinite(seed)) summary.seed = seed;
		const start = inputs.positive ?? inputs.guider;
		const prompt = isApiLink(start) ? textUpstream(api, start[0]) : undefined;
		if (prompt) summary.prompt = excerpt(prompt);
	}
	if (!summary.prompt) {
		const text = nodes
			.flatMap(([, node]) => TEXT_INPUTS.map((name) => node?.inputs?.[name]))
			.find((value): value is string => typeof value === 'string' && value.trim() !== '');
		if (text) summary.prompt = excerpt(text);
	}
	const latent = nodes.find(
		([, node]) =>
			typeof valueOf(api, node?.inputs?.width) === 'number' &&
			typeof valueOf(api, node?.inputs?.height) === 'number'
	);
	if (latent) {
		summary.width = valueOf(api, latent[1].inputs.width) as number;
		summary.height = valueOf(api, latent[1].inputs.height) as number;
	}
	const model = nodes
		.flatMap(([, node]) => MODEL_INPUTS.map((name) => node?.inputs?.[name]))
		.find((value): value is string => typeof value === 'string' && value !== '');
	if (model) summary.model = model.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
	return summary;
}

/** A literal input, or the value of the primitive node it links to. */
function valueOf(api: ApiWorkflow, input: unknown): unknown {
	if (!isApiLink(input)) return input;
	const source = api[input[0]]?.inputs;
	return source && !isApiLink(source.value) ? source.value : undefined;
}

/** Breadth-first upstream from a node to the first text input it meets (bounded: graphs can be huge). */
function textUpstream(api: ApiWorkflow, from: string): string | undefined {
	const queue = [from];
	const seen = new Set<string>();
	while (queue.length && seen.size < 64) {
		const id = queue.shift()!;
		if (seen.has(id)) continue;
		seen.add(id);
		const inputs = api[id]?.inputs ?? {};
		for (const name of TEXT_INPUTS) {
			const value = valueOf(api, inputs[name]);
			if (typeof value === 'string' && value.trim() !== '') return value;
		}
		for (const value of Object.values(inputs)) if (isApiLink(value)) queue.push(value[0]);
	}
	return undefined;
}

function excerpt(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > MAX_PROMPT ? `${line.slice(0, MAX_PROMPT - 1)}…` : line;
}
