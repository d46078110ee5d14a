// Reading the app's job records for the dashboard: the core's JobRecord plus the app's part (`HistoryJob` of
// $lib/storage/jobs: `timings`, `error`, `outputs`, `app.templateId`, `app.images`). Records written by older
// builds may lack any of it, so every field beyond `id`, `serverId`, `status` and `createdAt` is read defensively.
import type { StoredJob } from '$lib/storage/db';
import type { GenerationRecord } from '$lib/util/time-series';

/** The stand-in template key for jobs not started from a template (an imported or pasted workflow). */
export const NO_TEMPLATE = '';

/** An image a job produced: by content hash in the `images` store, or as a file on the server. */
export type JobImage =
	{ kind: 'stored'; hash: string } | { kind: 'server'; filename: string; subfolder: string; type: string };

/**
 * `completed`, `failed` (including `lost`: the server forgot it), or `other` (pending, queued, running, and
 * interrupted, which the user asked for and is no failure).
 */
export function jobOutcome(status: string): GenerationRecord['outcome'] {
	const s = status.toLowerCase();
	if (s === 'succeeded' || s === 'completed' || s === 'success') return 'completed';
	if (s === 'failed' || s === 'lost' || s === 'error') return 'failed';
	return 'other';
}

/** The template a job was started from (`app.templateId`, or the core's `metadata.templateId`). */
export function jobTemplateId(job: StoredJob): string | undefined {
	const id = record(job.app)?.templateId ?? record(job.metadata)?.templateId ?? job.templateId;
	return typeof id === 'string' ? id : undefined;
}

/** The template's name as it was when the job ran (kept even if the template is deleted since). */
export function jobTemplateName(job: StoredJob): string | undefined {
	const name = record(job.app)?.templateName ?? record(job.metadata)?.templateName;
	return typeof name === 'string' ? name : undefined;
}

/** How long the server executed the job, from `timings` (several spellings) or top-level start/end stamps. */
export function jobExecutionMs(job: StoredJob): number | undefined {
	const timings = record(job.timings);
	const direct = num(timings?.executionMs) ?? num(timings?.durationMs) ?? num(job.executionMs);
	if (direct !== undefined) return direct;
	const pairs: [unknown, unknown][] = [
		[timings?.started, timings?.finished],
		[timings?.startedAt, timings?.finishedAt],
		[timings?.executionStart, timings?.executionEnd],
		[timings?.start, timings?.end],
		[job.startedAt, job.finishedAt]
	];
	for (const [start, end] of pairs) {
		const a = num(start);
		const b = num(end);
		if (a !== undefined && b !== undefined && b >= a) return b - a;
	}
	return undefined;
}

/** A failed job's message (`error` as text, or an object with `message` / `exception_message`). */
export function jobErrorMessage(job: StoredJob): string | undefined {
	if (typeof job.error === 'string') return job.error;
	const error = record(job.error);
	const message = error?.message ?? error?.exception_message;
	return typeof message === 'string' ? message : undefined;
}

/** The images of a job: the kept ones (`app.images`, by hash once fetched), else the server's outputs. */
export function jobImages(job: StoredJob): JobImage[] {
	const kept = record(job.app)?.images;
	const list =
		Array.isArray(kept) && kept.length ? kept : Array.isArray(job.outputs) ? job.outputs : job.images;
	if (!Array.isArray(list)) return [];
	const out: JobImage[] = [];
	for (const item of list as unknown[]) {
		if (typeof item === 'string') out.push({ kind: 'stored', hash: item });
		const r = record(item);
		if (!r) continue;
		if (typeof r.hash === 'string') out.push({ kind: 'stored', hash: r.hash });
		else if (typeof r.filename === 'string')
			out.push({
				kind: 'server',
				filename: r.filename,
				subfolder: typeof r.subfolder === 'string' ? r.subfolder : '',
				type: typeof r.type === 'string' ? r.type : 'output'
			});
	}
	return out;
}

/** A job as the generation statistics count it. */
export function generationFromJob(job: StoredJob): GenerationRecord {
	const executionMs = jobExecutionMs(job);
	return {
		createdAt: job.createdAt,
		outcome: jobOutcome(job.status),
		templateKey: jobTemplateId(job) ?? NO_TEMPLATE,
		...(executionMs === undefined ? {} : { executionMs })
	};
}

function record(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function num(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
