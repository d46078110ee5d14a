/**
 * Export: everything Comfy Deck keeps (history with its images' original bytes and thumbnails, templates with
 * every version, presets, settings, servers) written into one zip, streamed into a Blob as it grows.
 */
import { Zip, ZipDeflate, ZipPassThrough, strToU8 } from 'fflate';
import type * as z from 'zod/mini';
import { zTemplate } from '$lib/comfy/workflow';
import { safeParse } from '$lib/comfy/parse';
import {
	BACKUP_FILES,
	BACKUP_FORMAT,
	BACKUP_VERSION,
	describeIssue,
	extensionFor,
	zBackupJob,
	zBackupPreset,
	zBackupServer,
	zBackupTemplateVersion,
	type BackupImage,
	type BackupManifest,
	type BackupServer
} from './backup-schema';
import type { DeckDb } from './db';
import { imageHashesOf } from './images';

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
			...(image.unplayable ? { unplayable: true } : {}),
			...(image.peaks?.length ? { peaks: image.peaks } : {})
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
