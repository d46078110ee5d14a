/**
 * Reading a backup: the whole archive is checked (a zip, a Comfy Deck backup of a format this build reads, every
 * record's shape, every image's bytes against its hash) before anything is written.
 */
import type * as z from 'zod/mini';
import { zTemplate, type Template } from '$lib/comfy/workflow';
import { safeParse, type Schema } from '$lib/comfy/parse';
import { sha256Hex } from '$lib/util/canonical-hash';
import {
	BACKUP_FILES,
	BACKUP_FORMAT,
	BACKUP_VERSION,
	describeIssue,
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
