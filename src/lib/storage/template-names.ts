import type { DeckDb } from './db';

/**
 * Template names by id, for labels (the dashboard's charts and recent runs). Records are not checked against the
 * template schema, only for a string name: a label needs no more, and the schemas stay out of the landing route's
 * first load. A record without one is left out (its runs show the name kept with the job).
 */
export async function templateNames(db: DeckDb): Promise<Record<string, string>> {
	const names: Record<string, string> = {};
	for (const record of (await db.getAll('templates')) as unknown[]) {
		if (typeof record !== 'object' || record === null) continue;
		const { id, name } = record as { id?: unknown; name?: unknown };
		if (typeof id === 'string' && typeof name === 'string') names[id] = name;
	}
	return names;
}
