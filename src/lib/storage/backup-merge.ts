/**
 * Deciding what an import adds, finds already present, or skips (and why), from what this browser holds and a
 * checked backup. Pure, so the summary shown before import and the import itself agree.
 */
import type { IDBPTransaction } from 'idb';
import { TERMINAL_STATUSES } from '$lib/comfy';
import { zTemplate, type Template } from '$lib/comfy/workflow';
import { canonicalJson } from '$lib/util/canonical-hash';
import { normalizeServerUrl } from '$lib/util/server-url';
import { zKnownSettings } from './backup-schema';
import type { ParsedBackup } from './backup-read';
import type { DeckSchema, ServerRecord, StoredImage, StoredPreset } from './db';
import { imageHashesOf } from './images';
import { safeParse } from '$lib/comfy/parse';
import { readStoredJob, type StoredJob } from './stored-job';
import type { TemplateVersion } from './templates';

/** Per kind of record: how many were added, were here already, or were left out. */
export interface ImportCounts {
	added: number;
	present: number;
	skipped: number;
}

/** A record left out of an import, and why. */
export interface SkippedRecord {
	kind: 'job' | 'image' | 'template' | 'preset' | 'server' | 'setting';
	id: string;
	reason: string;
}

/** What an import did (or would do). */
export interface ImportReport {
	jobs: ImportCounts;
	images: ImportCounts;
	/** `newVersions`: templates that differ from the local one of the same id, kept as a new version of it. */
	templates: ImportCounts & { newVersions: number };
	presets: ImportCounts;
	servers: ImportCounts;
	settings: ImportCounts;
	skipped: SkippedRecord[];
	/** Things worth telling: a template kept as a new version, a preset renamed. */
	notes: string[];
}

/** What this browser already holds, as far as an import needs to know. */
export interface ExistingData {
	jobIds: Set<string>;
	imageHashes: Set<string>;
	templates: Template[];
	templateVersions: TemplateVersion[];
	presets: StoredPreset[];
	servers: ServerRecord[];
	settings: Map<string, unknown>;
}

/** The records to write. */
export interface ImportWrites {
	jobs: StoredJob[];
	images: StoredImage[];
	templates: Template[];
	templateVersions: TemplateVersion[];
	presets: StoredPreset[];
	servers: ServerRecord[];
	settings: [string, unknown][];
}

type ImportStores = (
	'jobs' | 'images' | 'templates' | 'templateVersions' | 'presets' | 'servers' | 'settings'
)[];

/** Reads what an import compares against, inside the caller's transaction (keys only for jobs and images). */
export async function readExisting(
	tx: IDBPTransaction<DeckSchema, ImportStores, 'readonly' | 'readwrite'>
): Promise<ExistingData> {
	const [jobIds, imageHashes, templates, templateVersions, presets, servers, settingKeys, settingValues] =
		await Promise.all([
			tx.objectStore('jobs').getAllKeys(),
			tx.objectStore('images').getAllKeys(),
			tx.objectStore('templates').getAll(),
			tx.objectStore('templateVersions').getAll(),
			tx.objectStore('presets').getAll(),
			tx.objectStore('servers').getAll(),
			tx.objectStore('settings').getAllKeys(),
			tx.objectStore('settings').getAll()
		]);
	return {
		jobIds: new Set(jobIds),
		imageHashes: new Set(imageHashes),
		templates,
		templateVersions,
		presets,
		servers,
		settings: new Map(settingKeys.map((key, i) => [String(key), settingValues[i]]))
	};
}

const counts = (): ImportCounts => ({ added: 0, present: 0, skipped: 0 });

/** A template's content, for "is this the same template": timestamps do not count. */
function contentKey(template: unknown): string | undefined {
	const parsed = safeParse(zTemplate, template);
	return parsed.success ? canonicalJson({ ...parsed.data, createdAt: 0, updatedAt: 0 }) : undefined;
}

const serverKey = (url: string) => {
	const n = normalizeServerUrl(url);
	return n.ok ? n.url : url;
};

/** Decides every record of `backup` against `existing`. */
export function decideImport({
	existing,
	backup,
	now
}: {
	existing: ExistingData;
	backup: ParsedBackup;
	now: number;
}): { report: ImportReport; writes: ImportWrites } {
	const report: ImportReport = {
		jobs: counts(),
		images: counts(),
		templates: { ...counts(), newVersions: 0 },
		presets: counts(),
		servers: counts(),
		settings: counts(),
		skipped: [],
		notes: []
	};
	const writes: ImportWrites = {
		jobs: [],
		images: [],
		templates: [],
		templateVersions: [],
		presets: [],
		servers: [],
		settings: []
	};
	const skip = (kind: SkippedRecord['kind'], id: string, reason: string) => {
		const key = (
			{
				job: 'jobs',
				image: 'images',
				template: 'templates',
				preset: 'presets',
				server: 'servers',
				setting: 'settings'
			} as const
		)[kind];
		report[key].skipped++;
		report.skipped.push({ kind, id, reason });
	};

	// Servers, by address; the backup's server ids are mapped to this browser's, for the jobs.
	const byUrl = new Map(existing.servers.map((s) => [serverKey(s.baseUrl), s]));
	const serverIds = new Set(existing.servers.map((s) => s.id));
	const serverIdMap = new Map<string, string>();
	let order = existing.servers.reduce((max, s) => Math.max(max, s.order + 1), 0);
	for (const server of backup.servers) {
		const url = serverKey(server.baseUrl);
		const local = byUrl.get(url);
		if (local) {
			report.servers.present++;
			serverIdMap.set(server.id, local.id);
			continue;
		}
		const id = serverIds.has(server.id) ? crypto.randomUUID() : server.id;
		const record: ServerRecord = { ...server, id, baseUrl: url, order: order++ };
		writes.servers.push(record);
		byUrl.set(url, record);
		serverIds.add(id);
		serverIdMap.set(server.id, id);
		report.servers.added++;
	}

	// Jobs, by id. One still running elsewhere cannot be followed from here.
	const used = new Set<string>();
	for (const job of backup.jobs) {
		if (existing.jobIds.has(job.id)) {
			report.jobs.present++;
			for (const hash of imageHashesOf(job)) used.add(hash);
			continue;
		}
		if (!(TERMINAL_STATUSES as readonly string[]).includes(job.status)) {
			skip('job', job.id, `it was still ${job.status} when the backup was made`);
			continue;
		}
		// The same migration and check as every read of the jobs store, so an imported job reads like a local one.
		const read = readStoredJob({ ...job, serverId: serverIdMap.get(job.serverId) ?? job.serverId });
		if (!read.ok) {
			skip('job', job.id, `it cannot be read (${read.problem})`);
			continue;
		}
		writes.jobs.push(read.job);
		for (const hash of imageHashesOf(read.job)) used.add(hash);
		report.jobs.added++;
	}

	// Images, by content hash; only those a job uses.
	for (const image of backup.images) {
		if (existing.imageHashes.has(image.hash)) report.images.present++;
		else if (!used.has(image.hash)) skip('image', image.hash, 'no imported job uses it');
		else {
			writes.images.push({
				hash: image.hash,
				blob: image.blob,
				mime: image.mime,
				bytes: image.bytes,
				createdAt: image.createdAt,
				...(image.thumbnailBlob ? { thumbnail: image.thumbnailBlob } : {}),
				...(image.width ? { width: image.width } : {}),
				...(image.height ? { height: image.height } : {}),
				...(image.kind ? { kind: image.kind } : {}),
				...(image.duration !== undefined ? { duration: image.duration } : {}),
				...(image.unplayable ? { unplayable: true } : {}),
				...(image.peaks?.length ? { peaks: image.peaks } : {})
			});
			report.images.added++;
		}
	}

	// Templates, by id; a different one of the same id becomes a new version of the local one.
	const localTemplates = new Map(existing.templates.map((t) => [t.id, t]));
	const versionsOf = (id: string) => existing.templateVersions.filter((v) => v.templateId === id);
	const date = new Date(backup.manifest.createdAt);
	const from = Number.isNaN(date.getTime()) ? 'a backup' : `the backup of ${date.toISOString().slice(0, 10)}`;
	for (const template of backup.templates) {
		const local = localTemplates.get(template.id);
		const key = contentKey(template);
		if (!local) {
			addTemplate(template, backup, writes, now, from);
			report.templates.added++;
			continue;
		}
		const versions = versionsOf(template.id);
		const known = [local, ...versions.map((v) => v.template)].some((t) => contentKey(t) === key);
		if (known) {
			report.templates.present++;
			continue;
		}
		const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
		writes.templateVersions.push({
			templateId: template.id,
			version,
			savedAt: now,
			note: `From ${from}`,
			template: { ...template }
		});
		report.templates.newVersions++;
		report.notes.push(
			`Template "${template.name}" differs from the one in this browser: the backup's copy was added as version ${version}; yours stays current (restore the backup's from the template's versions).`
		);
	}

	// Presets, by id; a same-named different preset of the same template is kept too, renamed.
	const templateIds = new Set([...localTemplates.keys(), ...backup.templates.map((t) => t.id)]);
	const presets = [...existing.presets];
	const presetIds = new Set(presets.map((p) => p.id));
	for (const preset of backup.presets) {
		if (presetIds.has(preset.id)) {
			report.presets.present++;
			continue;
		}
		if (!templateIds.has(preset.templateId)) {
			skip(
				'preset',
				preset.id,
				`its template "${preset.templateId}" is neither in the backup nor in this browser`
			);
			continue;
		}
		const siblings = presets.filter((p) => p.templateId === preset.templateId);
		const same = siblings.find((p) => p.name === preset.name);
		if (same && canonicalJson(same.values) === canonicalJson(preset.values)) {
			report.presets.present++;
			continue;
		}
		let name = preset.name;
		for (let n = 1; siblings.some((p) => p.name === name); n++)
			name = `${preset.name.slice(0, 80)} (from backup${n > 1 ? ` ${n}` : ''})`;
		if (name !== preset.name)
			report.notes.push(`Preset "${preset.name}" differs from the one of that name here: kept as "${name}".`);
		const record: StoredPreset = {
			...preset,
			name,
			isDefault: preset.isDefault === true && !siblings.some((p) => p.isDefault)
		};
		writes.presets.push(record);
		presets.push(record);
		presetIds.add(record.id);
		report.presets.added++;
	}

	// Settings: a value this browser has is kept.
	for (const [key, value] of Object.entries(backup.settings)) {
		if (!(key in zKnownSettings)) {
			skip('setting', key, 'this version of Comfy Deck does not know this setting');
		} else if (!existing.settings.has(key)) {
			writes.settings.push([key, value]);
			report.settings.added++;
		} else if (canonicalJson(existing.settings.get(key)) === canonicalJson(value)) {
			report.settings.present++;
		} else {
			skip(
				'setting',
				key,
				`this browser has its own value (${JSON.stringify(existing.settings.get(key))}), kept`
			);
		}
	}

	return { report, writes };
}

function addTemplate(
	template: Template,
	backup: ParsedBackup,
	writes: ImportWrites,
	now: number,
	from: string
) {
	writes.templates.push({ ...template });
	const versions = backup.templateVersions.filter((v) => v.templateId === template.id);
	for (const v of versions) writes.templateVersions.push({ ...v, template: { ...v.template } });
	// A current template always has a version (as saveTemplate keeps it).
	const key = contentKey(template);
	if (!versions.some((v) => contentKey(v.template) === key)) {
		writes.templateVersions.push({
			templateId: template.id,
			version: versions.reduce((max, v) => Math.max(max, v.version), 0) + 1,
			savedAt: now,
			note: `From ${from}`,
			template: { ...template }
		});
	}
}
