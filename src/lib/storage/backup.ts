/**
 * Export everything Comfy Deck keeps (history with its images' original bytes and thumbnails, templates with
 * every version, presets, settings, servers) into one zip, and import it into another browser without
 * duplicates. Reading validates the whole archive before anything is written; writing is one transaction.
 */
import { Zip, ZipDeflate, ZipPassThrough, strToU8 } from 'fflate';
import type * as z from 'zod/mini';
import { sha256Hex } from '$lib/util/canonical-hash';
import {
	BACKUP_FILES,
	BACKUP_FORMAT,
	BACKUP_VERSION,
	describeIssue,
	extensionFor,
	zBackupImage,
	zBackupJob,
	zBackupManifest,
	zBackupPreset,
	zBackupServer,
	zBackupSettings,
	zBackupTemplateVersion,
	zKnownSettings,
	type BackupImage,
	type BackupJob,
	type BackupManifest,
	type BackupPreset,
	type BackupServer,
	type BackupTemplateVersion
} from './backup-schema';
import {
	looksLikeZip,
	readZipDirectory,
	readZipEntryBlob,
	readZipEntryBytes,
	ZipFormatError,
	type ZipEntry
} from './backup-zip';
import { zTemplate, type Template } from '$lib/comfy/workflow';
import type { DeckDb } from './db';
import { imageHashesOf } from './images';
import { decideImport, readExisting, type ImportReport } from './backup-merge';
import { safeParse, type Schema } from '$lib/comfy/parse';

export type { ImportReport } from './backup-merge';

/** A record left out of an export because it could not be read (an older build's leftovers). */
export interface OmittedRecord {
	kind: 'job' | 'image' | 'template' | 'template version' | 'preset' | 'server' | 'setting';
	id: string;
	reason: string;
}

/** What `exportBackup` made. */
export interface ExportResult {
	blob: Blob;
	fileName: string;
	manifest: BackupManifest;
	omitted: OmittedRecord[];
}

/** A backup read and checked in full, ready to import; image bytes stay in the file until written. */
export interface ParsedBackup {
	manifest: BackupManifest;
	jobs: BackupJob[];
	images: (BackupImage & { blob: Blob; thumbnailBlob?: Blob })[];
	templates: Template[];
	templateVersions: BackupTemplateVersion[];
	presets: BackupPreset[];
	servers: BackupServer[];
	settings: Record<string, unknown>;
}

export type ReadBackupResult = { ok: true; backup: ParsedBackup } | { ok: false; message: string };

// fflate writes no ZIP64: past 4 GiB or 65,535 entries the archive's offsets and counts overflow. Leave room for
// the JSON files after the last image.
const MAX_ARCHIVE_BYTES = 0xffffffff - 256 * 1024 * 1024;
const MAX_ENTRIES = 0xffff;

function tooLarge(what: string): string {
	return `This history is too large for one backup file (${what}): the zip format Comfy Deck writes ends at 4 GiB and 65,535 files. Delete generations you no longer need (or download them from History) and export again.`;
}

// Output is gathered into a Blob every few MiB, so the browser can keep it out of the JS heap.
const FLUSH_BYTES = 8 * 1024 * 1024;

/** `comfy-deck-backup-2025-01-31.zip` (the local date). */
export function backupFileName(now: number): string {
	const d = new Date(now);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `comfy-deck-backup-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.zip`;
}

function checked<T>(
	schema: z.ZodMiniType<T>,
	records: unknown[],
	kind: OmittedRecord['kind'],
	idOf: (record: Record<string, unknown>) => unknown,
	omitted: OmittedRecord[]
): T[] {
	const out: T[] = [];
	records.forEach((record, index) => {
		const result = safeParse(schema, record);
		if (result.success) out.push(result.data);
		else {
			const id = String(idOf((record ?? {}) as Record<string, unknown>) ?? index + 1);
			omitted.push({ kind, id, reason: describeIssue({ file: kind, error: result.error }) });
		}
	});
	return out;
}

/**
 * Writes everything into one zip: `manifest.json`, the records as JSON, and `images/<hash>.<ext>` with
 * `thumbnails/<hash>.webp`. Images are read from IndexedDB one at a time. Server tokens are left out unless
 * `includeTokens`. Records that do not pass the backup's own checks are left out and listed in `omitted`.
 */
export async function exportBackup(
	db: DeckDb,
	options: {
		appVersion: string;
		includeTokens?: boolean;
		now?: number;
		onProgress?: (done: number, total: number) => void;
		/** Where export gives up (the zip format fflate writes has no ZIP64); tests set a small one. */
		maxArchiveBytes?: number;
	}
): Promise<ExportResult> {
	const now = options.now ?? Date.now();
	const tx = db.transaction([
		'jobs',
		'templates',
		'templateVersions',
		'presets',
		'servers',
		'settings',
		'images'
	]);
	const [rawJobs, rawTemplates, rawVersions, rawPresets, rawServers, settingKeys, settingValues, imageKeys] =
		await Promise.all([
			tx.objectStore('jobs').getAll(),
			tx.objectStore('templates').getAll(),
			tx.objectStore('templateVersions').getAll(),
			tx.objectStore('presets').getAll(),
			tx.objectStore('servers').getAll(),
			tx.objectStore('settings').getAllKeys(),
			tx.objectStore('settings').getAll(),
			tx.objectStore('images').getAllKeys()
		]);
	await tx.done;

	const omitted: OmittedRecord[] = [];
	const jobs = checked(zBackupJob, rawJobs, 'job', (r) => r.id, omitted);
	const templates = checked(zTemplate, rawTemplates, 'template', (r) => r.id, omitted);
	const templateIds = new Set(templates.map((t) => t.id));
	const templateVersions = checked(
		zBackupTemplateVersion,
		rawVersions,
		'template version',
		(r) => `${String(r.templateId)} v${String(r.version)}`,
		omitted
	).filter((v) => templateIds.has(v.templateId));
	const presets = checked(zBackupPreset, rawPresets, 'preset', (r) => r.id, omitted);
	const servers: BackupServer[] = checked(zBackupServer, rawServers, 'server', (r) => r.id, omitted).map(
		(s) => {
			if (options.includeTokens || s.token === undefined) return s;
			const { token: _token, ...rest } = s;
			return rest;
		}
	);
	const settings: Record<string, unknown> = {};
	settingKeys.forEach((key, i) => (settings[String(key)] = settingValues[i]));

	const stored = new Set(imageKeys);
	const wanted = [...new Set(jobs.flatMap((job) => imageHashesOf(job)))];
	for (const hash of wanted)
		if (!stored.has(hash))
			omitted.push({ kind: 'image', id: hash, reason: 'it is not stored in this browser' });

	const out = new ZipOutput();
	const images: BackupImage[] = [];
	const present = wanted.filter((hash) => stored.has(hash));
	const maxBytes = options.maxArchiveBytes ?? MAX_ARCHIVE_BYTES;
	if (present.length * 2 + 8 > MAX_ENTRIES) throw new Error(tooLarge(`${present.length} images`));
	let done = 0;
	for (const hash of present) {
		if (out.bytes > maxBytes) throw new Error(tooLarge(`more than ${Math.floor(maxBytes / 2 ** 20)} MiB`));
		const image = await db.get('images', hash);
		options.onProgress?.(++done, present.length);
		if (!image) continue;
		const file = `images/${hash}.${extensionFor(image.mime)}`;
		out.stored(file, new Uint8Array(await image.blob.arrayBuffer()));
		const record: BackupImage = {
			hash,
			mime: image.mime,
			bytes: image.bytes,
			createdAt: image.createdAt,
			file,
			...(image.width ? { width: image.width } : {}),
			...(image.height ? { height: image.height } : {}),
			...(image.kind ? { kind: image.kind as BackupImage['kind'] } : {}),
			...(image.duration !== undefined ? { duration: image.duration } : {}),
			...(image.unplayable ? { unplayable: true } : {})
		};
		if (image.thumbnail) {
			const mime = image.thumbnail.type || 'image/webp';
			const thumb = `thumbnails/${hash}.${extensionFor(mime)}`;
			out.stored(thumb, new Uint8Array(await image.thumbnail.arrayBuffer()));
			record.thumbnail = { file: thumb, mime };
		}
		images.push(record);
	}

	out.jsonArray(BACKUP_FILES.jobs, jobs);
	out.jsonArray(BACKUP_FILES.images, images);
	out.jsonArray(BACKUP_FILES.templates, templates);
	out.jsonArray(BACKUP_FILES.templateVersions, templateVersions);
	out.jsonArray(BACKUP_FILES.presets, presets);
	out.jsonArray(BACKUP_FILES.servers, servers);
	out.json(BACKUP_FILES.settings, settings);
	const manifest: BackupManifest = {
		format: BACKUP_FORMAT,
		version: BACKUP_VERSION,
		appVersion: options.appVersion,
		createdAt: new Date(now).toISOString(),
		includesTokens: options.includeTokens === true && servers.some((s) => s.token !== undefined),
		counts: {
			jobs: jobs.length,
			images: images.length,
			templates: templates.length,
			templateVersions: templateVersions.length,
			presets: presets.length,
			servers: servers.length,
			settings: Object.keys(settings).length
		}
	};
	out.json(BACKUP_FILES.manifest, manifest);
	return { blob: out.finish(), fileName: backupFileName(now), manifest, omitted };
}

/** fflate's streaming Zip, its output gathered into a Blob as it comes. */
class ZipOutput {
	#zip: Zip;
	#blob = new Blob([]);
	#pending: Uint8Array<ArrayBuffer>[] = [];
	#pendingBytes = 0;
	/** Bytes of archive written so far. */
	bytes = 0;
	#error: Error | null = null;
	#ended = false;

	constructor() {
		this.#zip = new Zip((error, chunk, final) => {
			if (error) {
				this.#error = error;
				return;
			}
			this.#pending.push(chunk as Uint8Array<ArrayBuffer>);
			this.#pendingBytes += chunk.length;
			this.bytes += chunk.length;
			if (this.#pendingBytes >= FLUSH_BYTES || final) this.#flush();
			if (final) this.#ended = true;
		});
	}

	#flush() {
		this.#blob = new Blob([this.#blob, ...this.#pending]);
		this.#pending = [];
		this.#pendingBytes = 0;
	}

	/** Images are compressed already: stored as they are. */
	stored(name: string, bytes: Uint8Array) {
		const file = new ZipPassThrough(name);
		this.#zip.add(file);
		file.push(bytes, true);
	}

	json(name: string, value: unknown) {
		const file = new ZipDeflate(name, { level: 6 });
		this.#zip.add(file);
		file.push(strToU8(JSON.stringify(value)), true);
	}

	/** A JSON array written record by record, so thousands of jobs never make one huge string. */
	jsonArray(name: string, values: readonly unknown[]) {
		const file = new ZipDeflate(name, { level: 6 });
		this.#zip.add(file);
		file.push(strToU8('['));
		values.forEach((value, i) => file.push(strToU8((i ? ',\n' : '\n') + JSON.stringify(value))));
		file.push(strToU8('\n]'), true);
	}

	finish(): Blob {
		this.#zip.end();
		if (this.#error) throw this.#error;
		if (!this.#ended) throw new Error('The backup archive was not finished.');
		return new Blob([this.#blob], { type: 'application/zip' });
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const NOTHING = 'Nothing was imported.';

class BackupError extends Error {}

function notOurs(what: string): string {
	return `This file is not a Comfy Deck backup: ${what}. Choose the .zip file that "Export everything" saved. ${NOTHING}`;
}

async function sniff(file: Blob): Promise<string> {
	const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
	const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
	if (starts(0x89, 0x50, 0x4e, 0x47)) return notOurs('it is a PNG image');
	if (starts(0xff, 0xd8, 0xff)) return notOurs('it is a JPEG image');
	if (starts(0x52, 0x49, 0x46, 0x46)) return notOurs('it is a WebP image');
	const text = new TextDecoder().decode(head).trimStart();
	if (text.startsWith('{') || text.startsWith('['))
		return notOurs('it is a JSON file (templates and workflows are imported on the Templates page)');
	return notOurs('it is not a zip archive');
}

function parseJson(bytes: Uint8Array, name: string): unknown {
	try {
		return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
	} catch {
		throw new BackupError(`The backup is damaged: ${name} is not valid JSON. ${NOTHING}`);
	}
}

function records<T>(schema: z.ZodMiniType<T>, value: unknown, file: string): T[] {
	if (!Array.isArray(value))
		throw new BackupError(`The backup is damaged: ${file} is not a list. ${NOTHING}`);
	return value.map((item: unknown, index) => {
		const result = safeParse(schema, item);
		if (!result.success) {
			const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
			throw new BackupError(
				`The backup has a record Comfy Deck cannot read — ${describeIssue({ file, index, id, error: result.error })}. ${NOTHING}`
			);
		}
		return result.data;
	});
}

function unique<T>(items: T[], key: (item: T) => string, what: string, file: string) {
	const seen = new Set<string>();
	for (const item of items) {
		const k = key(item);
		if (seen.has(k))
			throw new BackupError(`The backup is damaged: ${file} lists ${what} ${k} twice. ${NOTHING}`);
		seen.add(k);
	}
}

/**
 * Reads and checks a whole backup without writing anything: that it is a zip, a Comfy Deck backup of a
 * format this build reads, that every record has the right shape, and that every image's bytes match its
 * hash. The message of a failure says what is wrong and that nothing was imported.
 */
export async function readBackup({ file }: { file: Blob }): Promise<ReadBackupResult> {
	try {
		return { ok: true, backup: await read(file) };
	} catch (error) {
		if (error instanceof BackupError) return { ok: false, message: error.message };
		if (error instanceof ZipFormatError)
			return { ok: false, message: `This file is not a usable backup: ${error.message}. ${NOTHING}` };
		throw error;
	}
}

async function read(file: Blob): Promise<ParsedBackup> {
	if (file.size === 0) throw new BackupError(`This file is empty. ${NOTHING}`);
	if (!(await looksLikeZip(file))) throw new BackupError(await sniff(file));
	const entries = new Map((await readZipDirectory(file)).map((e) => [e.name, e]));
	const json = async (name: string): Promise<unknown> => {
		const entry = entries.get(name);
		if (!entry) throw new BackupError(`The backup is incomplete: it has no ${name}. ${NOTHING}`);
		return parseJson(await readZipEntryBytes(file, entry), name);
	};

	if (!entries.has(BACKUP_FILES.manifest)) throw new BackupError(notOurs('this zip has no manifest.json'));
	const rawManifest = await json(BACKUP_FILES.manifest);
	const head = (typeof rawManifest === 'object' && rawManifest !== null ? rawManifest : {}) as Record<
		string,
		unknown
	>;
	if (head.format !== BACKUP_FORMAT)
		throw new BackupError(notOurs('its manifest.json is of another program'));
	if (typeof head.version === 'number' && head.version > BACKUP_VERSION)
		throw new BackupError(
			`This backup was written by a newer Comfy Deck (backup format ${head.version}; this one reads up to ${BACKUP_VERSION}). Update Comfy Deck, then import it again. ${NOTHING}`
		);
	const manifestResult = safeParse(zBackupManifest, rawManifest);
	if (!manifestResult.success)
		throw new BackupError(
			`The backup is damaged: ${describeIssue({ file: BACKUP_FILES.manifest, error: manifestResult.error })}. ${NOTHING}`
		);
	const manifest = manifestResult.data;

	const jobs = records(zBackupJob, await json(BACKUP_FILES.jobs), BACKUP_FILES.jobs);
	const imageRecords = records(zBackupImage, await json(BACKUP_FILES.images), BACKUP_FILES.images);
	const templates = records(zTemplate, await json(BACKUP_FILES.templates), BACKUP_FILES.templates);
	const templateVersions = records(
		zBackupTemplateVersion,
		await json(BACKUP_FILES.templateVersions),
		BACKUP_FILES.templateVersions
	);
	const presets = records(zBackupPreset, await json(BACKUP_FILES.presets), BACKUP_FILES.presets);
	const servers = records(zBackupServer, await json(BACKUP_FILES.servers), BACKUP_FILES.servers);
	const settingsResult = safeParse(zBackupSettings, await json(BACKUP_FILES.settings));
	if (!settingsResult.success)
		throw new BackupError(
			`The backup is damaged: ${describeIssue({ file: BACKUP_FILES.settings, error: settingsResult.error })}. ${NOTHING}`
		);
	const settings = settingsResult.data;
	for (const [key, schema] of Object.entries(zKnownSettings) as [string, Schema][]) {
		if (!(key in settings)) continue;
		const value = safeParse(schema, settings[key]);
		if (!value.success)
			throw new BackupError(
				`The backup has a setting Comfy Deck cannot read — ${describeIssue({ file: `${BACKUP_FILES.settings}, ${key}`, error: value.error })}. ${NOTHING}`
			);
	}

	unique(jobs, (j) => j.id, 'the job', BACKUP_FILES.jobs);
	unique(imageRecords, (i) => i.hash, 'the image', BACKUP_FILES.images);
	unique(templates, (t) => t.id, 'the template', BACKUP_FILES.templates);
	unique(templateVersions, (v) => `${v.templateId} version ${v.version}`, '', BACKUP_FILES.templateVersions);
	unique(presets, (p) => p.id, 'the preset', BACKUP_FILES.presets);
	unique(servers, (s) => s.id, 'the server', BACKUP_FILES.servers);

	const counts = manifest.counts;
	const actual = {
		jobs: jobs.length,
		images: imageRecords.length,
		templates: templates.length,
		templateVersions: templateVersions.length,
		presets: presets.length,
		servers: servers.length
	};
	for (const [kind, n] of Object.entries(actual)) {
		const said = counts[kind as keyof typeof actual];
		if (said !== n)
			throw new BackupError(
				`The backup is incomplete: its manifest lists ${said} ${kind} but it holds ${n}. ${NOTHING}`
			);
	}

	const images: ParsedBackup['images'] = [];
	for (const record of imageRecords) {
		const entry = needEntry(entries, record.file);
		if (entry.size !== record.bytes)
			throw new BackupError(
				`The backup is damaged: ${record.file} does not have the size its record says. ${NOTHING}`
			);
		const blob = await readZipEntryBlob(file, entry, record.mime);
		if ((await sha256Hex(await blob.arrayBuffer())) !== record.hash)
			throw new BackupError(
				`The backup is damaged: the bytes of ${record.file} do not match their hash. ${NOTHING}`
			);
		const thumbnailBlob = record.thumbnail
			? new Blob(
					[
						(await readZipEntryBytes(
							file,
							needEntry(entries, record.thumbnail.file)
						)) as Uint8Array<ArrayBuffer>
					],
					{
						type: record.thumbnail.mime
					}
				)
			: undefined;
		images.push({ ...record, blob, ...(thumbnailBlob ? { thumbnailBlob } : {}) });
	}

	return { manifest, jobs, images, templates, templateVersions, presets, servers, settings };
}

function needEntry(entries: Map<string, ZipEntry>, name: string): ZipEntry {
	const entry = entries.get(name);
	if (!entry) throw new BackupError(`The backup is incomplete: ${name} is missing. ${NOTHING}`);
	return entry;
}

// ---------------------------------------------------------------------------------------------------------------
// Importing

/** The stores a backup writes into (tests compare their counts). */
export const IMPORT_STORES = [
	'jobs',
	'images',
	'templates',
	'templateVersions',
	'presets',
	'servers',
	'settings'
] as const;

/** What importing `backup` would do here, without writing anything (for the summary shown before import). */
export async function planImport(
	db: DeckDb,
	backup: ParsedBackup,
	options: { now?: number } = {}
): Promise<ImportReport> {
	const tx = db.transaction([...IMPORT_STORES], 'readonly');
	const existing = await readExisting(tx);
	await tx.done;
	return decideImport({ existing, backup, now: options.now ?? Date.now() }).report;
}

/**
 * Imports a checked backup in one transaction: jobs by id, images by hash, presets by id, servers by address
 * are added only when missing; a template that differs from the local one of the same id is added as a new
 * version of it (the local one stays current). If any write fails, nothing is written.
 */
export async function importBackup(
	db: DeckDb,
	backup: ParsedBackup,
	options: { now?: number } = {}
): Promise<ImportReport> {
	const tx = db.transaction([...IMPORT_STORES], 'readwrite');
	const existing = await readExisting(tx);
	const { report, writes } = decideImport({ existing, backup, now: options.now ?? Date.now() });
	const puts: Promise<unknown>[] = [
		...writes.servers.map((s) => tx.objectStore('servers').put(s)),
		...writes.templates.map((t) => tx.objectStore('templates').put(t)),
		...writes.templateVersions.map((v) => tx.objectStore('templateVersions').put(v)),
		...writes.presets.map((p) => tx.objectStore('presets').put(p)),
		...writes.images.map((i) => tx.objectStore('images').put(i)),
		...writes.jobs.map((j) => tx.objectStore('jobs').put(j)),
		...writes.settings.map(([key, value]) => tx.objectStore('settings').put(value as never, key as never))
	];
	await Promise.all([...puts, tx.done]);
	return report;
}
