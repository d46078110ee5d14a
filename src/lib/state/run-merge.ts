import type { StoredJob } from '$lib/storage/jobs';

/**
 * A template's stored runs with some jobs read again: each changed job takes its old record's place, joins when it
 * is new to the template, and leaves when it is gone (undefined) or belongs to another template now. The result is
 * in the order a full read of the template gives (IndexedDB's index order: by id), so merging and reading
 * everything again show the same list.
 * @param options.stored the runs read before.
 * @param options.changed each changed job's id with its record as read now (undefined: not in the store).
 * @param options.templateId the template whose runs these are.
 */
export function mergeChangedRuns({
	stored,
	changed,
	templateId
}: {
	stored: readonly StoredJob[];
	changed: ReadonlyMap<string, StoredJob | undefined>;
	templateId: string;
}): StoredJob[] {
	if (!changed.size) return [...stored];
	const byId = new Map(stored.map((job) => [job.id, job]));
	for (const [id, job] of changed) {
		if (job && job.app.templateId === templateId) byId.set(id, job);
		else byId.delete(id);
	}
	// IndexedDB orders keys of equal index value by primary key, compared code unit by code unit as `<` does.
	return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
