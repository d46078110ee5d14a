// Prompt, queue, interrupt, history and jobs routes, with ComfyUI's quirks: the queue number grows on every
// POST /prompt that parses (even a rejected one), a body that is not JSON crashes the handler (500), and
// deleting or clearing only ever touches pending items.
import { randomUUID } from 'node:crypto';
import { empty, HandlerCrash, json, parseJsonObject, parseQueryInt, type SimReply } from './http-kit';
import { allJobs, historyJob, JOB_STATUSES, queueJob, type JobQuery, type JobStatus } from './jobs';
import { publicItem, type ApiPrompt } from './prompt-queue';
import { pyStr } from './py-format';
import type { Route } from './router';
import type { Simulator } from './simulator';
import { validatePrompt } from './validate';

// Extra data ComfyUI keeps out of the queue listing and history.
const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];

/** Python truthiness of a JSON value. */
export function truthy(value: unknown): boolean {
	if (Array.isArray(value)) return value.length > 0;
	if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
	return Boolean(value);
}

function pyFloat(value: unknown): number {
	const n =
		typeof value === 'string' ? Number(value.trim()) : typeof value === 'boolean' ? Number(value) : value;
	if (typeof n !== 'number' || Number.isNaN(n)) throw new HandlerCrash(`float() of ${String(value)}`);
	return n;
}

function postPrompt(sim: Simulator, data: Record<string, unknown>): SimReply {
	let number: number;
	if ('number' in data) number = pyFloat(data['number']);
	else {
		number = sim.queue.number;
		if ('front' in data && truthy(data['front'])) number = -number;
		sim.queue.number += 1;
	}
	if (!('prompt' in data)) {
		const error = {
			type: 'no_prompt',
			message: 'No prompt provided',
			details: 'No prompt provided',
			extra_info: {}
		};
		return json({ error, node_errors: {} }, 400);
	}
	const prompt = data['prompt'];
	if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) {
		throw new HandlerCrash('prompt is not a dict');
	}
	const promptId = 'prompt_id' in data ? pyStr(data['prompt_id']) : randomUUID();
	const partial = Array.isArray(data['partial_execution_targets'])
		? (data['partial_execution_targets'] as unknown[]).map((x) => pyStr(x))
		: null;
	const result = validatePrompt({ sim, prompt: prompt as ApiPrompt, partialTargets: partial });
	const rawExtra = 'extra_data' in data ? data['extra_data'] : {};
	if (typeof rawExtra !== 'object' || rawExtra === null || Array.isArray(rawExtra)) {
		throw new HandlerCrash('extra_data is not a dict');
	}
	const extra: Record<string, unknown> = { ...(rawExtra as Record<string, unknown>) };
	if ('client_id' in data) extra['client_id'] = data['client_id'];
	if (!result.ok) return json({ error: result.error, node_errors: result.nodeErrors }, 400);
	const hostile = sim.hostile.nodeErrors;
	if (hostile !== null) {
		sim.hostile.nodeErrors = null;
		const [nodeId, node] = Object.entries(prompt as ApiPrompt)[0] ?? ['1', { class_type: hostile }];
		// One validation error per line of the text.
		const errors = hostile.split('\n').map((line) => ({
			type: 'value_not_valid',
			message: line,
			details: line,
			extra_info: { input_name: line }
		}));
		return json(
			{
				error: {
					type: 'prompt_outputs_failed_validation',
					message: hostile,
					details: hostile,
					extra_info: {}
				},
				node_errors: {
					[nodeId]: { errors, dependent_outputs: [nodeId], class_type: node.class_type }
				}
			},
			400
		);
	}
	const sensitive: Record<string, unknown> = {};
	for (const key of SENSITIVE_EXTRA_DATA_KEYS) {
		if (key in extra) {
			sensitive[key] = extra[key];
			delete extra[key];
		}
	}
	extra['create_time'] = Date.now();
	sim.queue.put([number, promptId, prompt as ApiPrompt, extra, result.outputs, sensitive]);
	// The worker picks the prompt up before this reply is written, so (as recorded) `execution_start` and
	// friends can reach the client before the POST response does.
	sim.worker.kick();
	return json({ prompt_id: promptId, number, node_errors: result.nodeErrors });
}

function jobQuery(query: URLSearchParams): JobQuery | SimReply {
	const statusParam = query.get('status');
	let statuses: JobStatus[] | null = null;
	if (statusParam) {
		const values = statusParam
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
		const invalid = values.filter((s) => !(JOB_STATUSES as readonly string[]).includes(s));
		if (invalid.length > 0) {
			return json(
				{
					error: `Invalid status value(s): ${invalid.join(', ')}. Valid values: ${JOB_STATUSES.join(', ')}`
				},
				400
			);
		}
		statuses = values as JobStatus[];
	}
	const sortBy = (query.get('sort_by') ?? 'created_at').toLowerCase();
	if (sortBy !== 'created_at' && sortBy !== 'execution_duration') {
		return json({ error: "sort_by must be 'created_at' or 'execution_duration'" }, 400);
	}
	const sortOrder = (query.get('sort_order') ?? 'desc').toLowerCase();
	if (sortOrder !== 'asc' && sortOrder !== 'desc') {
		return json({ error: "sort_order must be 'asc' or 'desc'" }, 400);
	}
	let limit: number | null = null;
	const limitText = query.get('limit');
	if (limitText !== null) {
		if (!/^\s*[+-]?\d+\s*$/.test(limitText)) return json({ error: 'limit must be an integer' }, 400);
		limit = Number(limitText);
		if (limit <= 0) return json({ error: 'limit must be a positive integer' }, 400);
	}
	let offset = 0;
	const offsetText = query.get('offset');
	if (offsetText !== null) {
		if (!/^\s*[+-]?\d+\s*$/.test(offsetText)) return json({ error: 'offset must be an integer' }, 400);
		offset = Number(offsetText);
		if (offset < 0) return json({ error: 'offset must be non-negative' }, 400);
	}
	return { statuses, workflowId: query.get('workflow_id'), sortBy, sortOrder, limit, offset };
}

export function queueRoutes(sim: Simulator): Route[] {
	const queueInfo = () => ({ exec_info: { queue_remaining: sim.queue.queueRemaining() } });
	const jobsList: Route['handler'] = (req) => {
		const query = jobQuery(req.query);
		if ('status' in query) return query;
		const running = sim.queue.runningItems().map(publicItem);
		const pending = sim.queue.pendingItems().map(publicItem);
		const { jobs, total } = allJobs(running, pending, sim.queue.history, query);
		return json({
			jobs,
			pagination: {
				offset: query.offset,
				limit: query.limit,
				total,
				has_more: query.offset + jobs.length < total
			}
		});
	};
	const jobDetail: Route['handler'] = (req) => {
		const id = req.params['job_id'] ?? '';
		const entry = sim.queue.history.get(id);
		if (entry) return json(historyJob(id, entry, true));
		const running = sim.queue.runningItems().find((item) => item[1] === id);
		if (running) return json(queueJob(publicItem(running), 'in_progress'));
		const pending = sim.queue.pendingItems().find((item) => item[1] === id);
		if (pending) return json(queueJob(publicItem(pending), 'pending'));
		return json({ error: 'Job not found' }, 404);
	};
	return [
		{ method: 'GET', path: '/prompt', handler: () => json(queueInfo()) },
		{ method: 'POST', path: '/prompt', handler: (req) => postPrompt(sim, parseJsonObject(req)) },
		{
			method: 'GET',
			path: '/queue',
			handler: () =>
				json({
					queue_running: sim.queue.runningItems().map(publicItem),
					queue_pending: sim.queue.pendingItems().map(publicItem)
				})
		},
		{
			method: 'POST',
			path: '/queue',
			handler: (req) => {
				const data = parseJsonObject(req);
				if ('clear' in data && truthy(data['clear'])) sim.queue.wipe();
				if ('delete' in data) {
					for (const id of iterable(data['delete'])) sim.queue.deletePending(id as string);
				}
				return empty(200);
			}
		},
		{
			method: 'POST',
			path: '/interrupt',
			handler: (req) => {
				let data: unknown;
				try {
					data = JSON.parse(req.body.toString('utf8'));
				} catch {
					data = {};
				}
				if (typeof data !== 'object' || data === null || Array.isArray(data)) {
					throw new HandlerCrash('interrupt body is not a dict');
				}
				const promptId = (data as Record<string, unknown>)['prompt_id'];
				if (truthy(promptId)) {
					if (sim.queue.runningItems().some((item) => item[1] === promptId)) sim.worker.interrupt();
				} else sim.worker.interrupt();
				return empty(200);
			}
		},
		{
			method: 'GET',
			path: '/history',
			handler: (req) => {
				const max = req.query.get('max_items');
				const offset = req.query.get('offset');
				return json(
					sim.queue.getHistory(
						max === null ? null : parseQueryInt(max),
						offset === null ? -1 : parseQueryInt(offset)
					)
				);
			}
		},
		{
			method: 'GET',
			path: '/history/{prompt_id}',
			handler: (req) => {
				const id = req.params['prompt_id'] ?? '';
				const entry = sim.queue.history.get(id);
				return json(entry ? { [id]: structuredClone(entry) } : {});
			}
		},
		{
			method: 'POST',
			path: '/history',
			handler: (req) => {
				const data = parseJsonObject(req);
				if ('clear' in data && truthy(data['clear'])) sim.queue.history.clear();
				if ('delete' in data) {
					for (const id of iterable(data['delete'])) sim.queue.history.delete(id as string);
				}
				return empty(200);
			}
		},
		{ method: 'GET', path: '/api/jobs', handler: jobsList },
		{ method: 'GET', path: '/jobs', handler: jobsList },
		{ method: 'GET', path: '/api/jobs/{job_id}', handler: jobDetail },
		{ method: 'GET', path: '/jobs/{job_id}', handler: jobDetail }
	];
}

/** Python iteration over a JSON value (a string iterates its characters). */
function iterable(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') return [...value];
	if (typeof value === 'object' && value !== null) return Object.keys(value);
	throw new HandlerCrash('not iterable');
}
