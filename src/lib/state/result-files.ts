/**
 * The files of a run as they are saved outside the browser: every kept result (images, videos, audio, any file)
 * with its bytes from IndexedDB, and each text output as a .txt file, named by resultFileName.
 */
import type { DeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { readJobs, type StoredJob } from '$lib/storage/jobs';
import { fileDateTime, fileSlug, resultFileName } from '$lib/util/result-file-name';
import type { ZipInput } from '$lib/util/zip';

/** One file to save, and the key that marks it saved on its job. */
export interface ResultFile {
	key: string;
	name: string;
	blob: Blob;
}

// PreviewAny sends strings; anything else is written as the JSON it was.
const textOf = (value: unknown) =>
	typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));

/**
 * The files of `job` not saved yet (not in `app.saved`), in the run's order; files whose bytes were never
 * fetched are left for a later call.
 * @param options.db the open database.
 * @param options.job the run.
 */
export async function unsavedFilesOf(options: { db: DeckDb; job: StoredJob }): Promise<ResultFile[]> {
	const { db, job } = options;
	const saved = new Set(job.app.saved ?? []);
	const templateName =
		job.app.templateName ??
		(typeof job.metadata?.templateName === 'string' ? job.metadata.templateName : undefined);
	const date = new Date(job.createdAt);
	const base = { templateName, date, promptId: job.id };
	const out: ResultFile[] = [];
	const images = job.app.images ?? [];
	for (const [index, image] of images.entries()) {
		const key = `file:${image.type}/${image.subfolder}/${image.filename}`;
		if (saved.has(key) || !image.hash) continue;
		const stored = await getImage(db, image.hash);
		if (!stored) continue;
		const name = resultFileName({
			...base,
			index,
			filename: image.filename,
			mime: image.mime ?? stored.mime
		});
		out.push({ key, name, blob: stored.blob });
	}
	let index = images.length;
	for (const [nodeId, values] of Object.entries(job.texts ?? {})) {
		for (const [i, value] of values.entries()) {
			const key = `text:${nodeId}:${i}`;
			const name = resultFileName({ ...base, index: index++, mime: 'text/plain' });
			if (!saved.has(key)) out.push({ key, name, blob: new Blob([textOf(value)], { type: 'text/plain' }) });
		}
	}
	return out;
}

/**
 * The unsaved files of every run of a batch or grid as one zip (a download per file would be dozens of prompts):
 * `sd-1.5-txt2img_2026-12-07_14-05-09_batch-a1b2c3d4.zip`, or undefined when nothing is left to save.
 * @param options.db the open database.
 * @param options.batchId the batch or grid id its runs carry (`metadata.batch`).
 */
export async function batchZipOf(options: {
	db: DeckDb;
	batchId: string;
}): Promise<{ name: string; blob: Blob; savedKeys: Map<string, string[]> } | undefined> {
	const { db, batchId } = options;
	const runs = readJobs(db, await db.getAllFromIndex('jobs', 'byBatch', batchId)).sort(
		(a, b) => a.createdAt - b.createdAt
	);
	const savedKeys = new Map<string, string[]>();
	const entries: ZipInput[] = [];
	for (const job of runs) {
		const files = await unsavedFilesOf({ db, job });
		if (!files.length) continue;
		savedKeys.set(
			job.id,
			files.map((f) => f.key)
		);
		const date = new Date(job.createdAt);
		for (const file of files)
			entries.push({ name: file.name, bytes: new Uint8Array(await file.blob.arrayBuffer()), date });
	}
	const first = runs[0];
	if (!first || !entries.length) return undefined;
	const { zipBlob } = await import('$lib/util/zip');
	const template = first.app.templateName ?? (first.metadata?.templateName as string | undefined) ?? '';
	const id = batchId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'batch';
	const name = `${fileSlug(template)}_${fileDateTime(new Date(first.createdAt))}_batch-${id}.zip`;
	return { name, blob: zipBlob(entries), savedKeys };
}
