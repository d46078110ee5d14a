import type { DeckDb } from '$lib/storage/db';
import { getJob, listJobsOfTemplate, type StoredJob } from '$lib/storage/jobs';

/** What the reader needs of the app's jobs: the history's version and which jobs changed since one. */
export interface HistoryFeed {
	readonly historyVersion: number;
	changesSince(version: number): readonly string[] | null;
}

/** The newest run among these that succeeded and kept images, if any. */
export function newestShowable(jobs: readonly (StoredJob | undefined)[]): StoredJob | undefined {
	let newest: StoredJob | undefined;
	for (const job of jobs) {
		if (job?.status !== 'succeeded' || !job.app.images?.length) continue;
		if (!newest || job.createdAt > newest.createdAt) newest = job;
	}
	return newest;
}

/**
 * Finds a template's newest run with results to show, for an idle generate panel that looks again on every history
 * change: a full read of the template the first time; while it found nothing, later looks read only the jobs that
 * changed (a busy template is hundreds of records, and a batch changes history several times per run).
 */
export class LatestRunReader {
	// The template and history version of the last full look that found nothing.
	#nothingAt: { templateId: string; version: number } | undefined;

	async find({
		db,
		templateId,
		history
	}: {
		db: DeckDb;
		templateId: string;
		history: HistoryFeed;
	}): Promise<StoredJob | undefined> {
		const version = history.historyVersion;
		const since = this.#nothingAt?.templateId === templateId ? this.#nothingAt.version : undefined;
		const ids = since === undefined ? null : history.changesSince(since);
		const jobs = ids
			? (await Promise.all(ids.map((id) => getJob(db, id)))).filter((j) => j?.app.templateId === templateId)
			: await listJobsOfTemplate(db, templateId);
		const latest = newestShowable(jobs);
		// Found: the caller shows it (or, if it cannot, the next look reads everything again).
		this.#nothingAt = latest ? undefined : { templateId, version };
		return latest;
	}
}
