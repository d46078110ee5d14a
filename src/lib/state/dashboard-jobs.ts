// Reading the app's job records for the dashboard. The jobs repository has checked and migrated every record it
// returns, so these read the fields as typed.
import { thumbHashOf } from '$lib/storage/history-kinds';
import type { KeptImage, StoredJob } from '$lib/storage/jobs';
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

/** The template a job was started from. */
export function jobTemplateId(job: StoredJob): string | undefined {
	return job.app.templateId;
}

/** The template's name as it was when the job ran (kept even if the template is deleted since). */
export function jobTemplateName(job: StoredJob): string | undefined {
	return job.app.templateName;
}

/** How long the server executed the job (started → finished), when both are known. */
export function jobExecutionMs(job: StoredJob): number | undefined {
	const { started, finished } = job.timings;
	return started !== undefined && finished !== undefined && finished >= started
		? finished - started
		: undefined;
}

/** A failed job's message. */
export function jobErrorMessage(job: StoredJob): string | undefined {
	return job.error?.message;
}

/** The images of a job: the kept ones (`app.images`, by hash once fetched), else the server's outputs. */
export function jobImages(job: StoredJob): JobImage[] {
	const kept: readonly KeptImage[] = job.app.images?.length ? job.app.images : job.outputs;
	return kept.map((image): JobImage =>
		image.hash
			? { kind: 'stored', hash: image.hash }
			: { kind: 'server', filename: image.filename, subfolder: image.subfolder, type: image.type }
	);
}

/**
 * The result a job's tile shows: the kept one History's card shows (a picture or a video's frame before a sound), else
 * the server's first output.
 */
export function jobThumbImage(job: StoredJob): JobImage | undefined {
	const hash = thumbHashOf(job.app.images ?? []);
	return hash ? { kind: 'stored', hash } : jobImages(job)[0];
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
