import { outputFileKey, type JobImage } from '$lib/comfy';
import { putCacheEntry } from '$lib/storage/cache';
import type { DeckDb } from '$lib/storage/db';
import { getJob, updateJobApp, type KeptImage, type StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';

// Keeping one file (with the media probe and eviction) loads with the first server client, not with the page.
export const loadKeeper = () => import('./keep-output');

/**
 * Keeps the files a running job has already named (`executed`) as soon as their bytes are in, before the server
 * confirms the end: a reload or a lost server between the picture showing and the job's end then loses nothing
 * (a PreviewImage's temp file is gone after a server restart). Records only what it kept, merged by file into the
 * record's list; the end's `keepRun` finds those kept and writes nothing twice. Never throws: the end keeps again.
 * @param options.outputs the files named so far.
 * @param options.bytes a file's bytes (the fetch the socket's message started).
 * @returns the record as this pass left it (for `keepRun`'s `known`), or undefined when it is not stored or the
 *   pass failed.
 */
export async function keepNamedOutputs(options: {
	db: DeckDb;
	id: string;
	outputs: readonly JobImage[];
	bytes: (output: JobImage) => Promise<Blob>;
	report: (message: string) => void;
}): Promise<StoredJob | undefined> {
	const { db, id } = options;
	try {
		const job = await getJob(db, id);
		if (!job) return undefined;
		const kept = new Set((job.app.images ?? []).filter((i) => i.hash).map(outputFileKey));
		const fresh: KeptImage[] = [];
		for (const output of options.outputs) {
			if (kept.has(outputFileKey(output))) continue;
			try {
				const { keepOutput } = await loadKeeper();
				fresh.push(
					await keepOutput({ db, output, bytes: () => options.bytes(output), report: options.report })
				);
			} catch {
				// Not this one now; the others are kept, and the end's keepRun tries it again.
			}
		}
		if (!fresh.length) return job;
		return await updateJobApp(db, id, (app) => {
			const byKey = new Map((app.images ?? []).map((i) => [outputFileKey(i), i]));
			for (const image of fresh) byKey.set(outputFileKey(image), image);
			const order = options.outputs.map(outputFileKey);
			const rank = (image: KeptImage) => {
				const index = order.indexOf(outputFileKey(image));
				return index < 0 ? order.length : index;
			};
			return { ...app, images: [...byKey.values()].sort((a, b) => rank(a) - rank(b)) };
		});
	} catch {
		// The end's keepRun fetches and keeps again, and reports what it cannot.
		return undefined;
	}
}

/**
 * Keeps a finished job's outputs: each file's bytes stored with its thumbnail (a file whose bytes cannot be had now
 * is kept as what the server said, and a later load retries), the job's record updated, and the result cache filled
 * when every file is in and the prompt was not randomized.
 * @param options.live the tracker's own list of outputs: the store may not have written it yet when the job ends at
 *   once (a fully cached prompt), and reading only IndexedDB then kept nothing.
 * @param options.bytes a file's bytes (usually fetched already, when the socket named it).
 * @param options.report told what could not be kept (shown, never thrown).
 * @param options.cacheBytes the result cache's size limit.
 * @param options.known the record as the running job's last `keepNamedOutputs` pass left it: read no more. Only the
 *   keeper writes `app.images` (one pass at a time per job, the end after the last), and the rest of `app` that this
 *   reads (prompt hash, randomized) is written before the POST, so that copy is what a read would return. A read
 *   per run, with its record's check, was a third of the keeper's IndexedDB reads in the 200-item queue bench.
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
	known?: StoredJob;
}): Promise<boolean> {
	const { db, id, report } = options;
	const job = options.known ?? (await getJob(db, id));
	if (!job) return false;
	const stored = job.app.images ?? [];
	const already = new Map(stored.map((i) => [outputFileKey(i), i]));
	const images: KeptImage[] = [];
	const outputs = options.live.length > job.outputs.length ? options.live : job.outputs;
	for (const output of outputs) {
		const known = already.get(outputFileKey(output));
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
	// Every file kept while the job ran (keepNamedOutputs), in the same order: nothing to write again.
	const unchanged = images.length === stored.length && images.every((image, i) => image === stored[i]);
	const updated = unchanged ? job : await updateJobApp(db, id, (app) => ({ ...app, images }));
	const hashes = images.flatMap((i) => (i.hash ? [i.hash] : []));
	if (
		updated?.app.promptHash &&
		!updated.app.randomized &&
		hashes.length === images.length &&
		hashes.length
	) {
		// A cache entry must not name a run deleted since the copy was taken: its key says so, without reading it.
		if (updated === options.known && (await db.getKey('jobs', id)) === undefined) return false;
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
