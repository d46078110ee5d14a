/**
 * Templates in IndexedDB, with a version kept on every save (version 1 is the original import and is never
 * overwritten), and the JSON file format for exporting and importing one or all templates.
 */
import { parseJsonSafely } from '$lib/comfy/workflow/safe-json';
import { zTemplate, type Template } from '$lib/comfy/workflow/template';
import type { DeckDb } from './db';
import { parse, safeParse } from '$lib/comfy/parse';

/** One saved version of a template (a record of the `templateVersions` store); version 1 is the original import. */
export interface TemplateVersion {
	templateId: string;
	version: number;
	savedAt: number;
	/** Why it was saved: "Imported", "Edited parameters", "Restored version 2"… */
	note: string;
	template: Template;
}

/** What `saveTemplate` wrote. */
export interface SavedTemplate {
	template: Template;
	version: number;
}

/** Reads a stored template; undefined when the record is not a valid template (never thrown at the UI). */
function readTemplate(value: unknown): Template | undefined {
	const parsed = safeParse(zTemplate, value);
	return parsed.success ? parsed.data : undefined;
}

function readVersion(value: TemplateVersion): TemplateVersion | undefined {
	const template = readTemplate(value.template);
	if (!template) return undefined;
	return {
		templateId: value.templateId,
		version: value.version,
		savedAt: value.savedAt,
		note: typeof value.note === 'string' ? value.note : '',
		template
	};
}

/** Every valid stored template, most recently changed first, and the ids of records that could not be read. */
export async function listTemplates(db: DeckDb): Promise<{ templates: Template[]; unreadable: string[] }> {
	const all = await db.getAllFromIndex('templates', 'byUpdatedAt');
	const templates: Template[] = [];
	const unreadable: string[] = [];
	for (const record of all.reverse()) {
		const t = readTemplate(record);
		if (t) templates.push(t);
		else unreadable.push(record.id);
	}
	return { templates, unreadable };
}

/** One template, or undefined. */
export async function getTemplate(db: DeckDb, id: string): Promise<Template | undefined> {
	const record = await db.get('templates', id);
	return record ? readTemplate(record) : undefined;
}

/**
 * Writes `template` as the current one and adds it as the next version, in one transaction (so a version
 * always exists for what is current). Returns the template as stored (validated, `updatedAt` set).
 */
export async function saveTemplate(
	db: DeckDb,
	{ template, note, now = Date.now() }: { template: Template; note: string; now?: number }
): Promise<SavedTemplate> {
	const checked = parse(zTemplate, { ...template, updatedAt: now });
	const tx = db.transaction(['templates', 'templateVersions'], 'readwrite');
	const versions = tx.objectStore('templateVersions');
	const keys = await versions.index('byTemplate').getAllKeys(checked.id);
	const last = keys.reduce((max, key) => Math.max(max, key[1]), 0);
	const version = last + 1;
	await tx.objectStore('templates').put(checked);
	await versions.add({ templateId: checked.id, version, savedAt: now, note, template: checked });
	await tx.done;
	return { template: checked, version };
}

/** Every version of a template, newest first. */
export async function listVersions(db: DeckDb, templateId: string): Promise<TemplateVersion[]> {
	const all = await db.getAllFromIndex('templateVersions', 'byTemplate', templateId);
	return all
		.map(readVersion)
		.filter((v): v is TemplateVersion => v !== undefined)
		.sort((a, b) => b.version - a.version);
}

/** One version, or undefined. */
export async function getVersion(
	db: DeckDb,
	templateId: string,
	version: number
): Promise<TemplateVersion | undefined> {
	const record = await db.get('templateVersions', [templateId, version]);
	return record ? readVersion(record) : undefined;
}

/** Makes an older version current again, as a new version (nothing in between is lost). */
export async function restoreVersion(
	db: DeckDb,
	{ templateId, version, now = Date.now() }: { templateId: string; version: number; now?: number }
): Promise<SavedTemplate | undefined> {
	const old = await getVersion(db, templateId, version);
	if (!old) return undefined;
	return saveTemplate(db, { template: old.template, note: `Restored version ${version}`, now });
}

/** Removes a template with its versions and presets. */
export async function deleteTemplate(db: DeckDb, id: string): Promise<void> {
	const tx = db.transaction(['templates', 'templateVersions', 'presets'], 'readwrite');
	await tx.objectStore('templates').delete(id);
	const versions = tx.objectStore('templateVersions');
	for (const key of await versions.index('byTemplate').getAllKeys(id)) await versions.delete(key);
	const presets = tx.objectStore('presets');
	for (const key of await presets.index('byTemplate').getAllKeys(id)) await presets.delete(key);
	await tx.done;
}

// ---------------------------------------------------------------------------------------------------------------
// Export / import files

export const TEMPLATES_FILE_FORMAT = 'comfy-deck-templates';
/** A backup of many templates may be larger than one workflow; still bounded. */
export const MAX_TEMPLATES_FILE_BYTES = 50 * 1024 * 1024;

/** The export file: one or many templates. */
export interface TemplatesFile {
	format: typeof TEMPLATES_FILE_FORMAT;
	version: 1;
	exportedAt: string;
	templates: Template[];
}

/** The JSON text of an export file. */
export function exportTemplatesFile({
	templates,
	now = Date.now()
}: {
	templates: Template[];
	now?: number;
}): string {
	const file: TemplatesFile = {
		format: TEMPLATES_FILE_FORMAT,
		version: 1,
		exportedAt: new Date(now).toISOString(),
		templates
	};
	return JSON.stringify(file, null, '\t');
}

/** A file name for an export: `comfy-deck-<id>.json` or `comfy-deck-templates-2025-01-31.json`. */
export function exportFileName({
	templates,
	now = Date.now()
}: {
	templates: Template[];
	now?: number;
}): string {
	const only = templates.length === 1 ? templates[0] : undefined;
	return only
		? `comfy-deck-${only.id}.json`
		: `comfy-deck-templates-${new Date(now).toISOString().slice(0, 10)}.json`;
}

export type TemplatesFileResult =
	| { kind: 'templates'; templates: Template[]; problems: string[] }
	| { kind: 'not-ours' }
	| { kind: 'error'; message: string; problems: string[] };

/**
 * Reads a Comfy Deck export (many templates) or a single template's JSON. `not-ours` means it is some other
 * JSON (e.g. a workflow): hand it to the workflow importer. Templates that fail validation are listed in
 * `problems`, the others still import.
 */
export function parseTemplatesFile({ text }: { text: string }): TemplatesFileResult {
	if (text.length > MAX_TEMPLATES_FILE_BYTES) {
		return {
			kind: 'error',
			message: `This file is larger than ${MAX_TEMPLATES_FILE_BYTES / (1024 * 1024)} MB, more than any template export.`,
			problems: []
		};
	}
	const parsed = parseJsonSafely({ text: text.replace(/^\uFEFF/, '') });
	if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value))
		return { kind: 'not-ours' };
	const value = parsed.value as Record<string, unknown>;
	let raw: unknown[];
	if (value.format === TEMPLATES_FILE_FORMAT) {
		if (value.version !== 1) {
			return {
				kind: 'error',
				message: 'This template file was written by a newer Comfy Deck; update it to read the file.',
				problems: []
			};
		}
		if (!Array.isArray(value.templates)) {
			return { kind: 'error', message: 'This template file has no list of templates.', problems: [] };
		}
		raw = value.templates;
	} else if (typeof value.id === 'string' && 'api' in value && Array.isArray(value.parameters)) {
		raw = [value];
	} else {
		return { kind: 'not-ours' };
	}
	const templates: Template[] = [];
	const problems: string[] = [];
	raw.forEach((item, i) => {
		const t = safeParse(zTemplate, item);
		if (t.success) templates.push(t.data);
		else {
			const name =
				typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string'
					? `"${String((item as { name: string }).name).slice(0, 60)}"`
					: `number ${i + 1}`;
			const first = t.error.issues[0];
			problems.push(
				`Template ${name} was skipped: ${first ? `${first.path.map(String).join('.') || 'top level'}: ${first.message}` : 'it is not valid'}.`
			);
		}
	});
	if (templates.length === 0) {
		return {
			kind: 'error',
			message: raw.length === 0 ? 'This template file is empty.' : 'No template in this file could be read.',
			problems
		};
	}
	return { kind: 'templates', templates, problems };
}
