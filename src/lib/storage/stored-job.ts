/**
 * The `jobs` store's record, its schema and the migration of older records. Everything read from the store
 * goes through `readStoredJob`: an older shape is brought up to date, a record that still does not fit is refused
 * with a reason (the caller skips and reports it), so a damaged record never reaches a view.
 */
// The core's guards (zod/mini's names), not zod: every view reads jobs, the landing route too, and zod would
// double what its first load spends on checking records.
import * as z from '$lib/comfy/guard';
import type { JobImage, JobRecord } from '$lib/comfy';

/**
 * An output of a job as history keeps it: where it came from on the server, its bytes' hash here, and what it is
 * (`kind` is absent on runs kept before kinds: images).
 */
export interface KeptImage extends JobImage {
	/** SHA-256 of the original bytes in the `images` store; missing until fetched. */
	hash?: string;
	width?: number;
	height?: number;
	bytes?: number;
	/** The content type `/view` answered with. */
	mime?: string;
	/** Seconds, for video and audio. */
	duration?: number;
}

/** What the app adds to the core's job record: where it came from and what was kept of it. */
export interface JobAppInfo {
	templateId?: string;
	templateName?: string;
	presetId?: string;
	/** The form values that made the workflow. */
	parameters?: Record<string, unknown>;
	/** Canonical hash of the API prompt (the cache key). */
	promptHash?: string;
	/** True when a random seed made this run, so its result must never be served from the cache. */
	randomized?: boolean;
	images?: KeptImage[];
	/** The user's labels (the history gallery filters by them). */
	tags?: string[];
	note?: string;
	/** Who ran it, from Settings (the seed plan's `userInitials`). */
	userInitials?: string;
	/** The run's free-text style label (the seed plan's `style`), offered again on the form and filterable. */
	style?: string;
	/** Which of its files were saved to the user's folder or downloaded (keys from result-files.ts). */
	saved?: string[];
	/** Why saving its files to the user's folder failed, until a later try succeeds (they are still kept here). */
	saveProblem?: string;
}

/** A job as the `jobs` store keeps it: the core's record, the server it ran on, and the app's additions. */
export type StoredJob = JobRecord & { serverId: string; createdAt: number; app: JobAppInfo };

const JOB_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'interrupted', 'lost'] as const;
const ERROR_KINDS = [
	'validation',
	'execution',
	'interrupted',
	'lost',
	'http',
	'connection',
	'timeout',
	'unknown'
] as const;

const zOptionalString = z.optional(z.string());
const zOptionalNumber = z.optional(z.number());

const zJobImage = z.looseObject({
	filename: z.string(),
	subfolder: z.string(),
	type: z.string(),
	nodeId: zOptionalString
});

const zKeptImage = z.looseObject({
	...zJobImage.shape,
	hash: zOptionalString,
	width: zOptionalNumber,
	height: zOptionalNumber,
	bytes: zOptionalNumber,
	mime: zOptionalString,
	duration: zOptionalNumber
});

const zJobAppInfo = z.looseObject({
	templateId: zOptionalString,
	templateName: zOptionalString,
	presetId: zOptionalString,
	parameters: z.optional(z.record(z.string(), z.unknown())),
	promptHash: zOptionalString,
	randomized: z.optional(z.boolean()),
	images: z.optional(z.array(zKeptImage)),
	tags: z.optional(z.array(z.string())),
	note: zOptionalString,
	userInitials: zOptionalString,
	style: zOptionalString
});

// Fields beyond these pass as they are (loose objects): what the views read is checked, the rest is kept. An
// output's `kind` is not checked: one this build does not know shows as a download instead of hiding the run.
const zStoredJob = z.looseObject({
	id: z.string(),
	serverId: z.string(),
	serverUrl: z.string(),
	status: z.enum(JOB_STATUSES),
	createdAt: z.number(),
	workflow: z.record(
		z.string(),
		z.looseObject({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()) })
	),
	outputs: z.array(zJobImage),
	timings: z.looseObject({
		created: z.number(),
		submitted: zOptionalNumber,
		queued: zOptionalNumber,
		started: zOptionalNumber,
		finished: zOptionalNumber
	}),
	attempts: z.number(),
	texts: z.optional(z.record(z.string(), z.array(z.unknown()))),
	error: z.optional(
		z.looseObject({
			kind: z.enum(ERROR_KINDS),
			message: z.string(),
			exceptionMessage: zOptionalString
		})
	),
	app: zJobAppInfo
});

/** What reading one record gave: the job, or why it could not be read. */
export type ReadJob = { ok: true; job: StoredJob } | { ok: false; key: string; problem: string };

/**
 * Brings a record written by an older build (or imported from another browser's backup) to the current shape.
 * Pure: returns a new object and never throws; whatever it cannot fix is left for the schema to refuse.
 * - no `app` part (the core's own writes, a backup without app fields) → an empty one;
 * - `createdAt` missing → the core's `timings.created`, and the other way round;
 * - `outputs` or `attempts` missing → none yet;
 * - `error` as plain text → an error of kind `unknown` with that message.
 */
export function migrateStoredJob(value: unknown): unknown {
	if (!isObject(value)) return value;
	const job: Record<string, unknown> = { ...value };
	if (!isObject(job.app)) job.app = {};
	const timings = isObject(job.timings) ? { ...job.timings } : {};
	if (typeof job.createdAt !== 'number' && typeof timings.created === 'number')
		job.createdAt = timings.created;
	if (typeof timings.created !== 'number' && typeof job.createdAt === 'number')
		timings.created = job.createdAt;
	job.timings = timings;
	if (job.outputs === undefined) job.outputs = [];
	if (job.attempts === undefined) job.attempts = job.status === 'pending' ? 0 : 1;
	if (typeof job.error === 'string') job.error = { kind: 'unknown', message: job.error };
	return job;
}

/** Migrates and checks one record read from the `jobs` store. */
export function readStoredJob(value: unknown): ReadJob {
	const result = z.safeParse(zStoredJob, migrateStoredJob(value));
	if (result.success) return { ok: true, job: result.data };
	return { ok: false, key: keyOf(value), problem: describeProblem(result.error) };
}

/** "status: Invalid option: expected one of …" for the first thing wrong with a record. */
function describeProblem(error: { issues: z.Issue[] }): string {
	const issue = error.issues[0];
	return issue ? `${issue.path.map(String).join('.') || 'the record'}: ${issue.message}` : 'not a job record';
}

function keyOf(value: unknown): string {
	return isObject(value) && typeof value.id === 'string' ? value.id : '(no id)';
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
