/**
 * The files this browser's runs saved on a server, as a LoadImage/LoadVideo/LoadAudio input names them:
 * `video/name.mp4 [output]` (m_media.json loads a saved video and audio back this way). The server's own lists
 * (`/object_info`) only hold its input folder, so these are offered beside them.
 */
import { kindOfOutputFile } from '$lib/comfy';
import { annotatedFileValue, type FileParameterKind } from '$lib/comfy/workflow';
import type { DeckDb } from './db';
import { listJobsNewestFirst } from './jobs';

/** Which output kinds each kind of file field loads. */
const KINDS_OF_FIELD: Record<FileParameterKind, readonly string[]> = {
	IMAGE: ['image', 'animated'],
	VIDEO: ['video'],
	AUDIO: ['audio']
};

/** Saved results per kind of file field, newest first. */
export type SavedOutputs = Record<FileParameterKind, string[]>;

/**
 * The newest saved (`type: output`) results of `serverId`, per kind of file field.
 * @param db the open database.
 * @param options.serverId the server the files are on.
 * @param options.perKind at most this many names per kind (default 20).
 * @param options.scan how many of the newest runs to look through (default 300), so a long history stays fast.
 */
export async function savedOutputsOf(
	db: DeckDb,
	options: { serverId: string; perKind?: number; scan?: number }
): Promise<SavedOutputs> {
	const perKind = options.perKind ?? 20;
	const out: SavedOutputs = { IMAGE: [], VIDEO: [], AUDIO: [] };
	const jobs = await listJobsNewestFirst(db, { limit: options.scan ?? 300 });
	for (const job of jobs) {
		if (job.serverId !== options.serverId) continue;
		for (const file of job.app.images ?? job.outputs) {
			if (file.type !== 'output') continue;
			// Runs kept before kinds were recorded are pictures, or told apart by their extension.
			const kind = file.kind ?? kindOfOutputFile({ filename: file.filename });
			for (const field of ['IMAGE', 'VIDEO', 'AUDIO'] as const) {
				const list = out[field];
				if (!KINDS_OF_FIELD[field].includes(kind) || list.length >= perKind) continue;
				const name = annotatedFileValue(file);
				if (!list.includes(name)) list.push(name);
			}
		}
	}
	return out;
}
