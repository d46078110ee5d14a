// `/api/jobs`: ComfyUI 0.8's unified view of queue and history. Summaries drop null fields (`prune_dict`),
// statuses are pending · in_progress · completed · failed, and the preview output prefers `type: output`.
import type { HistoryEntry, PublicItem } from './prompt-queue';

export const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

type Job = Record<string, unknown>;

function prune(record: Record<string, unknown>): Job {
	return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
}

function metadata(extra: Record<string, unknown>): { createTime: unknown; workflowId: unknown } {
	const pnginfo = extra['extra_pnginfo'];
	const workflow =
		typeof pnginfo === 'object' && pnginfo !== null ? (pnginfo as Record<string, unknown>)['workflow'] : null;
	const workflowId =
		typeof workflow === 'object' && workflow !== null ? (workflow as Record<string, unknown>)['id'] : null;
	return { createTime: extra['create_time'], workflowId };
}

/** A queued or running item as a job summary. */
export function queueJob(item: PublicItem, status: JobStatus): Job {
	const { createTime, workflowId } = metadata(item[3]);
	return prune({
		id: item[1],
		status,
		priority: item[0],
		create_time: createTime,
		outputs_count: 0,
		workflow_id: workflowId
	});
}

const PREVIEWABLE = new Set(['images', 'video', 'audio']);
const THREE_D = ['.obj', '.fbx', '.gltf', '.glb'];

function previewable(mediaType: string, item: Record<string, unknown>): boolean {
	if (PREVIEWABLE.has(mediaType)) return true;
	const format = typeof item['format'] === 'string' ? item['format'] : '';
	if (format.startsWith('video/') || format.startsWith('audio/')) return true;
	const filename = typeof item['filename'] === 'string' ? item['filename'].toLowerCase() : '';
	return THREE_D.some((ext) => filename.endsWith(ext));
}

function outputsSummary(outputs: Record<string, unknown>): { count: number; preview: Job | null } {
	let count = 0;
	let preview: Job | null = null;
	let fallback: Job | null = null;
	for (const [nodeId, nodeOutputs] of Object.entries(outputs)) {
		if (typeof nodeOutputs !== 'object' || nodeOutputs === null || Array.isArray(nodeOutputs)) continue;
		for (const [mediaType, items] of Object.entries(nodeOutputs as Record<string, unknown>)) {
			if (mediaType === 'animated' || !Array.isArray(items)) continue;
			for (const item of items) {
				if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
				count += 1;
				const record = item as Record<string, unknown>;
				if (preview === null && previewable(mediaType, record)) {
					const enriched = { ...record, nodeId, mediaType };
					if (record['type'] === 'output') preview = enriched;
					else fallback ??= enriched;
				}
			}
		}
	}
	return { count, preview: preview ?? fallback };
}

/** A history entry as a job; with `full`, also its outputs, status and workflow (`/api/jobs/{id}`). */
export function historyJob(promptId: string, entry: HistoryEntry, full: boolean): Job {
	const [priority, , prompt, extra] = entry.prompt;
	const { createTime, workflowId } = metadata(extra);
	const statusStr = entry.status?.status_str;
	const status: JobStatus = statusStr === 'error' ? 'failed' : 'completed';
	const { count, preview } = outputsSummary(entry.outputs);
	let start: unknown = null;
	let end: unknown = null;
	let error: unknown = null;
	for (const [event, data] of entry.status?.messages ?? []) {
		if (typeof data !== 'object' || data === null) continue;
		const timestamp = (data as Record<string, unknown>)['timestamp'];
		if (event === 'execution_start') start = timestamp;
		else if (['execution_success', 'execution_error', 'execution_interrupted'].includes(event)) {
			end = timestamp;
			if (event === 'execution_error') error = data;
		}
	}
	const job = prune({
		id: promptId,
		status,
		priority,
		create_time: createTime,
		execution_start_time: start,
		execution_end_time: end,
		execution_error: error,
		outputs_count: count,
		preview_output: preview,
		workflow_id: workflowId
	});
	if (full) {
		job['outputs'] = entry.outputs;
		job['execution_status'] = entry.status;
		job['workflow'] = { prompt, extra_data: extra };
	}
	return job;
}

export interface JobQuery {
	statuses: JobStatus[] | null;
	workflowId: string | null;
	sortBy: 'created_at' | 'execution_duration';
	sortOrder: 'asc' | 'desc';
	limit: number | null;
	offset: number;
}

/** `get_all_jobs`: running, then pending, then history, filtered, stably sorted, paged. */
export function allJobs(
	running: PublicItem[],
	pending: PublicItem[],
	history: Map<string, HistoryEntry>,
	query: JobQuery
): { jobs: Job[]; total: number } {
	const wanted = new Set<JobStatus>(query.statuses ?? JOB_STATUSES);
	let jobs: Job[] = [];
	if (wanted.has('in_progress')) for (const item of running) jobs.push(queueJob(item, 'in_progress'));
	if (wanted.has('pending')) for (const item of pending) jobs.push(queueJob(item, 'pending'));
	if (wanted.has('completed') || wanted.has('failed')) {
		for (const [id, entry] of history) {
			const failed = entry.status?.status_str === 'error';
			if ((failed && wanted.has('failed')) || (!failed && wanted.has('completed'))) {
				jobs.push(historyJob(id, entry, false));
			}
		}
	}
	if (query.workflowId) jobs = jobs.filter((job) => job['workflow_id'] === query.workflowId);
	const key = (job: Job): number => {
		if (query.sortBy === 'execution_duration') {
			const start = Number(job['execution_start_time'] ?? 0);
			const end = Number(job['execution_end_time'] ?? 0);
			return start && end ? end - start : 0;
		}
		return Number(job['create_time'] ?? 0);
	};
	const sign = query.sortOrder === 'desc' ? -1 : 1;
	// Python's sorted(reverse=True) is stable too: equal keys keep their order.
	jobs = jobs
		.map((job, i) => ({ job, i }))
		.sort((a, b) => sign * (key(a.job) - key(b.job)) || a.i - b.i)
		.map((x) => x.job);
	const total = jobs.length;
	if (query.offset > 0) jobs = jobs.slice(query.offset);
	if (query.limit !== null) jobs = jobs.slice(0, query.limit);
	return { jobs, total };
}
