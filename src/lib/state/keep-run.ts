import type { JobImage } from '$lib/comfy';
import { putCacheEntry } from '$lib/storage/cache';
import type { DeckDb } from '$lib/storage/db';
import { getJob, updateJobApp, type KeptImage } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';

// Keeping one file (with the media probe and eviction) loads with the first server client, not with the page.
export const loadKeeper = () => import('./keep-output');

/**
 * Keeps a finished job's outputs: each file's bytes stored with its thumbnail (a file whose bytes cannot be had now
 * is kept as what the server said, and a later load retries), the job's record updated, and the result cache filled
 * when every file is in and the prompt was not randomized.
 * @param options.live the tracker's own list of outputs: the store may not have written it yet when the job ends at
 *   once (a fully cached prompt), and reading only IndexedDB then kept nothing.
 * @param options.bytes a file's bytes (usually fetched already, when the socket named it).
 * @param options.report told what could not be kept (shown, never thrown).
 * @param options.cacheBytes the result cache's size limit.
 * @returns false when the job is not stored (nothing was kept).
 */
export async function keepRun(options: {
	db: DeckDb;
	id: string;
	serverId: string;
	live: readonly JobImage[];
	bytes: (output: JobImage) => Promise<Blob>;
	report: (message: string) => void;
	cacheBytes: number;
}): Promise<boolean> {
	const { db, id, report } = options;
	const job = await getJob(db, id);
	if (!job) return false;
	const already = new Map((job.app.images ?? []).map((i) => [`${i.type}/${i.subfolder}/${i.filename}`, i]));
	const images: KeptImage[] = [];
	const outputs = options.live.length > job.outputs.length ? options.live : job.outputs;
	for (const output of outputs) {
		const known = already.get(`${output.type}/${output.subfolder}/${output.filename}`);
		if (known?.hash) {
			images.push(known);
			continue;
		}
		try {
			const { keepOutput } = await loadKeeper();
			images.push(await keepOutput({ db, output, bytes: () => options.bytes(output), report }));
		} catch (error) {
			// Keep what the server said even if its bytes could not be fetched now; a later load retries.
			images.push({ ...output });
			report(`Could not keep ${output.filename}: ${errorMessage(error)}`);
		}
	}
	const updated = await updateJobApp(db, id, (app) => ({ ...app, images }));
	const hashes = images.flatMap((i) => (i.hash ? [i.hash] : []));
	if (
		updated?.app.promptHash &&
		!updated.app.randomized &&
		hashes.length === images.length &&
		hashes.length
	) {
		await putCacheEntry(
			db,
			{
				promptHash: updated.app.promptHash,
				jobId: id,
				serverId: options.serverId,
				imageHashes: hashes,
				bytes: images.reduce((sum, i) => sum + (i.bytes ?? 0), 0),
				createdAt: Date.now(),
				lastUsedAt: Date.now()
			},
			{ maxBytes: options.cacheBytes }
		);
	}
	return true;
}
