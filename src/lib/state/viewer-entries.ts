import { annotatedFileValue } from '$lib/comfy/workflow';
import type { DeckDb } from '$lib/storage/db';
import type { HistoryItem } from '$lib/storage/history';
import { getImage } from '$lib/storage/images';
import { getJob } from '$lib/storage/jobs';
import type { ViewerEntry } from './image-viewer.svelte';

/**
 * The viewer's walk through a History filter: each run with a kept result, shown by its first one, read from
 * IndexedDB only when the viewer reaches it (a filter may hold thousands of runs).
 */
export function historyViewerEntries(options: {
	db: Promise<DeckDb>;
	items: readonly HistoryItem[];
}): ViewerEntry[] {
	return options.items.flatMap((item) => {
		const hash = item.thumbHash;
		if (!hash) return [];
		return [
			{
				key: item.id,
				jobId: item.id,
				label: item.templateName ?? 'Workflow',
				load: async () => {
					const db = await options.db;
					const [image, job] = await Promise.all([getImage(db, hash), getJob(db, item.id)]);
					if (!image) return undefined;
					const kept = job?.app?.images?.find((i) => i.hash === hash);
					return {
						blob: image.blob,
						filename: kept?.filename ?? `${item.id.slice(0, 8)}`,
						mime: image.mime,
						...(image.kind ? { kind: image.kind } : {}),
						...(image.width ? { width: image.width } : {}),
						...(image.height ? { height: image.height } : {}),
						...(image.unplayable ? { unplayable: true } : {}),
						// Saved in its server's output folder: "Use as input" names it there (`name [output]`).
						...(job && kept?.type === 'output' && kept.filename
							? {
									saved: {
										serverId: job.serverId,
										value: annotatedFileValue({ ...kept, filename: kept.filename })
									}
								}
							: {})
					};
				}
			}
		];
	});
}
