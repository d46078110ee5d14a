/**
 * The work behind ResultSavingState, loaded on the first save (the landing route's first load carries none of it):
 * reading a run's files, writing them into the folder or downloading them, zipping a batch, and marking on each
 * run what was saved and why not.
 */
import type { DeckDb } from '$lib/storage/db';
import { getJob, listJobsNewestFirst, updateJobApp } from '$lib/storage/jobs';
import { describeFolderError, writeNewFile, type WritableFolder } from '$lib/util/folder-writer';
import { batchZipOf, unsavedFilesOf } from './result-files';

export { describeFolderError };

/** What one save did: the names saved (or downloaded), or why it stopped, or the batch it waits for. */
export interface SaveOutcome {
	names: string[];
	problem?: string;
	/** The folder refused this page: its permission must be asked again. */
	permissionLost?: boolean;
	/** A batch's run in download mode, held for the batch's zip. */
	heldBatch?: string;
}

/**
 * Saves the files of a run not saved yet, and writes on the run what was saved and what went wrong (a later try
 * clears it).
 * @param options.mode `folder` writes into `folder` (when `permitted`), `download` hands each file to `download`.
 * @param options.batchOpen in download mode, tells whether a run's batch has runs to come (then it is held).
 */
export async function saveRunFiles(options: {
	db: DeckDb;
	jobId: string;
	mode: 'folder' | 'download';
	folder?: WritableFolder;
	permitted: boolean;
	download: (blob: Blob, name: string) => void;
	batchOpen?: (batchId: string) => boolean;
}): Promise<SaveOutcome> {
	const { db, mode, folder } = options;
	const job = await getJob(db, options.jobId);
	if (!job) return { names: [] };
	const batchId = typeof job.metadata?.batch === 'string' ? job.metadata.batch : undefined;
	if (mode === 'download' && batchId && options.batchOpen) {
		if (options.batchOpen(batchId)) return { names: [], heldBatch: batchId };
		const name = await zipBatchFiles({ db, batchId, download: options.download });
		return { names: name ? [name] : [] };
	}
	const files = await unsavedFilesOf({ db, job });
	if (!files.length) return { names: [] };
	const saved: string[] = [];
	const outcome: SaveOutcome = { names: [] };
	if (mode === 'download') {
		for (const file of files) {
			options.download(file.blob, file.name);
			saved.push(file.key);
			outcome.names.push(file.name);
		}
	} else if (!folder) {
		outcome.problem = 'No folder is chosen to save results into: choose one in Settings.';
	} else if (!options.permitted) {
		outcome.problem = `Saving into the folder “${folder.name}” needs your OK again (browsers ask after a reload): press “Allow saving” in Settings. The result is kept in this browser.`;
		outcome.permissionLost = true;
	} else {
		for (const file of files) {
			try {
				outcome.names.push(await writeNewFile({ folder, name: file.name, blob: file.blob }));
				saved.push(file.key);
			} catch (error) {
				const described = describeFolderError({ error, folderName: folder.name });
				outcome.problem = described.message;
				outcome.permissionLost = described.problem === 'permission';
				break;
			}
		}
	}
	const problem = outcome.problem;
	await updateJobApp(db, job.id, ({ saveProblem: _old, ...app }) => ({
		...app,
		saved: [...(app.saved ?? []), ...saved],
		...(problem ? { saveProblem: problem } : {})
	}));
	return outcome;
}

/** Downloads the unsaved files of a batch's runs as one zip and marks them saved; the zip's name, if any. */
export async function zipBatchFiles(options: {
	db: DeckDb;
	batchId: string;
	download: (blob: Blob, name: string) => void;
}): Promise<string | undefined> {
	const { db } = options;
	const zip = await batchZipOf({ db, batchId: options.batchId });
	if (!zip) return undefined;
	options.download(zip.blob, zip.name);
	for (const [jobId, keys] of zip.savedKeys)
		await updateJobApp(db, jobId, (app) => ({ ...app, saved: [...(app.saved ?? []), ...keys] }));
	return zip.name;
}

/** Runs a problem held back (among the newest 500), oldest first. */
export async function runsHeldBack(db: DeckDb): Promise<string[]> {
	const jobs = await listJobsNewestFirst(db, { limit: 500 });
	return jobs
		.filter((job) => job.app.saveProblem)
		.reverse()
		.map((job) => job.id);
}
