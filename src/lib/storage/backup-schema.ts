/**
 * The shape of a Comfy Deck backup: one zod schema per file of the archive. Everything read from a backup goes
 * through these before anything is written, and export runs its records through them too, so what one browser
 * writes another can read.
 */
import * as z from 'zod/mini';
import { zTemplate } from '$lib/comfy/workflow';
import { TERMINAL_STATUSES } from '$lib/comfy';
import { normalizeServerUrl } from '$lib/util/server-url';
import { SERVER_NAME_MAX } from './servers';

export const BACKUP_FORMAT = 'comfy-deck-backup';
/** The newest backup format this build writes and reads. */
export const BACKUP_VERSION = 1;

/** The archive's files. */
export const BACKUP_FILES = {
	manifest: 'manifest.json',
	jobs: 'jobs.json',
	images: 'images.json',
	templates: 'templates.json',
	templateVersions: 'template-versions.json',
	presets: 'presets.json',
	servers: 'servers.json',
	settings: 'settings.json'
} as const;

const zId = z.string().check(z.minLength(1), z.maxLength(200));
const zTime = z.number().check(z.nonnegative());
const zHash = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest'));
const zMime = z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'not a media type'));

/** What every backup starts with. `counts` says how many records of each kind the archive holds. */
export const zBackupManifest = z.looseObject({
	format: z.literal(BACKUP_FORMAT),
	version: z.int().check(z.gte(1)),
	appVersion: z.string().check(z.maxLength(100)),
	createdAt: z.string().check(z.maxLength(40)),
	includesTokens: z.boolean(),
	counts: z.looseObject({
		jobs: z.int().check(z.nonnegative()),
		images: z.int().check(z.nonnegative()),
		templates: z.int().check(z.nonnegative()),
		templateVersions: z.int().check(z.nonnegative()),
		presets: z.int().check(z.nonnegative()),
		servers: z.int().check(z.nonnegative()),
		settings: z.int().check(z.nonnegative())
	})
});
export type BackupManifest = z.infer<typeof zBackupManifest>;

const zKeptImage = z.looseObject({
	filename: z.string().check(z.maxLength(1000)),
	subfolder: z.string().check(z.maxLength(1000)),
	type: z.string().check(z.maxLength(50)),
	hash: z.optional(zHash)
});

const JOB_STATUSES = ['pending', 'queued', 'running', ...TERMINAL_STATUSES] as [string, ...string[]];

/** A history job (the core's JobRecord plus the app's part); fields beyond these pass as they are. */
export const zBackupJob = z.looseObject({
	id: zId,
	serverId: zId,
	serverUrl: z.string().check(z.maxLength(2000)),
	status: z.enum(JOB_STATUSES),
	createdAt: zTime,
	workflow: z.record(z.string(), z.unknown()),
	outputs: z.array(z.looseObject({ filename: z.string(), subfolder: z.string(), type: z.string() })),
	timings: z.looseObject({ created: zTime }),
	app: z.optional(z.looseObject({ images: z.optional(z.array(zKeptImage)) }))
});
export type BackupJob = z.infer<typeof zBackupJob>;

/** An image's record; its bytes are `file` in the archive, its thumbnail `thumbnail.file`. */
export const zBackupImage = z.object({
	hash: zHash,
	mime: zMime,
	bytes: z.int().check(z.nonnegative()),
	width: z.optional(z.int().check(z.positive())),
	height: z.optional(z.int().check(z.positive())),
	createdAt: zTime,
	/** Video, audio and other results (absent = an image, as in backups from before they were kept). */
	kind: z.optional(z.enum(['image', 'animated', 'video', 'audio', 'text', 'other'])),
	duration: z.optional(z.number().check(z.nonnegative())),
	unplayable: z.optional(z.boolean()),
	/** A sound's waveform, 0…1 per bar. */
	peaks: z.optional(z.array(z.number().check(z.gte(0), z.lte(1))).check(z.maxLength(1_000))),
	file: z.string().check(z.regex(/^images\/[0-9a-f]{64}\.[a-z0-9]{1,5}$/)),
	thumbnail: z.optional(
		z.object({ file: z.string().check(z.regex(/^thumbnails\/[0-9a-f]{64}\.[a-z0-9]{1,5}$/)), mime: zMime })
	)
});
export type BackupImage = z.infer<typeof zBackupImage>;

export const zBackupTemplateVersion = z.object({
	templateId: zId,
	version: z.int().check(z.gte(1)),
	savedAt: zTime,
	note: z._default(z.string().check(z.maxLength(500)), ''),
	template: zTemplate
});
export type BackupTemplateVersion = z.infer<typeof zBackupTemplateVersion>;

export const zBackupPreset = z.object({
	id: zId,
	templateId: zId,
	name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
	values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
	isDefault: z.optional(z.boolean()),
	updatedAt: zTime
});
export type BackupPreset = z.infer<typeof zBackupPreset>;

export const zBackupServer = z.object({
	id: zId,
	name: z.string().check(z.trim(), z.minLength(1), z.maxLength(SERVER_NAME_MAX)),
	baseUrl: z.string().check(
		z.maxLength(2000),
		z.refine((url) => normalizeServerUrl(url).ok, 'not a server address')
	),
	token: z.optional(z.string().check(z.maxLength(4000))),
	order: z.number(),
	createdAt: zTime
});
export type BackupServer = z.infer<typeof zBackupServer>;

/** Settings this build knows, each checked; others are reported and left out. */
export const zKnownSettings = {
	logLevel: z.enum(['debug', 'info', 'warn', 'error']),
	theme: z.enum(['system', 'light', 'dark']),
	cacheMaxMb: z.int().check(z.gte(0), z.lte(1_000_000)),
	userInitials: z.string().check(z.maxLength(20))
} as const;

export const zBackupSettings = z.record(z.string().check(z.maxLength(100)), z.unknown());

/** The file extension an image's bytes are stored under (only for people opening the zip). */
export function extensionFor(mime: string): string {
	const known: Record<string, string> = {
		'image/png': 'png',
		'image/webp': 'webp',
		'image/jpeg': 'jpg',
		'image/gif': 'gif',
		'image/avif': 'avif',
		'video/mp4': 'mp4',
		'video/webm': 'webm',
		'audio/flac': 'flac',
		'audio/mpeg': 'mp3',
		'audio/opus': 'opus',
		'audio/ogg': 'ogg',
		'audio/wav': 'wav',
		'audio/x-wav': 'wav'
	};
	return known[mime] ?? 'bin';
}

/** "jobs.json, record 3 (id abc): timings.created: Invalid input: expected number" for a zod error. */
export function describeIssue(options: {
	file: string;
	index?: number;
	id?: unknown;
	error: z.core.$ZodError;
}): string {
	const issue = options.error.issues[0];
	const where =
		options.index === undefined
			? options.file
			: `${options.file}, record ${options.index + 1}${typeof options.id === 'string' ? ` (${options.id.slice(0, 80)})` : ''}`;
	const path = issue?.path.map(String).join('.') || 'the record';
	return `${where}: ${path}: ${issue?.message ?? 'not valid'}`;
}
