// A run's labels in History, each cleaned the same way wherever it is typed: its style (offered again by its
// template's form), its tags and its note.
import type { DeckDb } from './db';
import { listJobsOfTemplate, updateJobApp } from './jobs';

const MAX_TAGS = 20;
const MAX_TAG_CHARS = 40;
/** Longest note kept (characters). */
export const MAX_NOTE_CHARS = 10_000;

/** Longest style label kept (characters). */
export const MAX_STYLE_CHARS = 60;

/** A style label as typed, cleaned: trimmed, inner spaces collapsed, bounded; empty when there is none. */
export function normalizeStyle(style: string): string {
	return style.trim().replace(/\s+/g, ' ').slice(0, MAX_STYLE_CHARS).trim();
}

/** The style labels a template's runs used, most recent first, each once (what its form offers again). */
export async function stylesOfTemplate(db: DeckDb, options: { templateId: string }): Promise<string[]> {
	const jobs = await listJobsOfTemplate(db, options.templateId);
	const styles: string[] = [];
	for (const job of jobs.sort((a, b) => b.createdAt - a.createdAt)) {
		const style = job.app.style;
		if (style && !styles.includes(style)) styles.push(style);
	}
	return styles;
}

/** Cleans tags typed by a user: trimmed, no empties, no duplicates (ignoring case), bounded in number and length. */
export function normalizeTags(tags: Iterable<string>): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const raw of tags) {
		const tag = raw.trim().replace(/\s+/g, ' ').slice(0, MAX_TAG_CHARS);
		if (!tag || seen.has(tag.toLowerCase())) continue;
		seen.add(tag.toLowerCase());
		out.push(tag);
		if (out.length >= MAX_TAGS) break;
	}
	return out;
}

/** Replaces a job's tags (cleaned with `normalizeTags`); returns the tags kept, undefined for an unknown job. */
export async function setJobTags(
	db: DeckDb,
	id: string,
	tags: Iterable<string>
): Promise<string[] | undefined> {
	const clean = normalizeTags(tags);
	const updated = await updateJobApp(db, id, (app) => {
		const { tags: _old, ...rest } = app;
		return clean.length ? { ...rest, tags: clean } : rest;
	});
	return updated && clean;
}

/** Replaces a job's note (bounded in length; empty removes it). */
export async function setJobNote(db: DeckDb, id: string, note: string): Promise<boolean> {
	const text = note.slice(0, MAX_NOTE_CHARS);
	const updated = await updateJobApp(db, id, (app) => {
		const { note: _old, ...rest } = app;
		return text.trim() ? { ...rest, note: text } : rest;
	});
	return updated !== undefined;
}
