/**
 * What the browser queue needs only once it starts: the dispatch loop and the queue's store (zod schemas
 * included). `DispatchState` loads this module on `start()`, so the layout's first load does not carry it.
 */
import { metadataOf } from '$lib/comfy/batch/dispatcher';
import type { QueueEntry } from '$lib/comfy/batch/queue';
import type { StoredJob } from '$lib/storage/jobs';

export { createDispatcher, metadataOf } from '$lib/comfy/batch/dispatcher';
export {
	loadBrowserQueue,
	saveBrowserQueue,
	setAsideBrowserQueue,
	setAsideQueueItems
} from '$lib/storage/browser-queue';

/** The job record of an item about to be sent: stored before its POST, with its app info, so History has it. */
export function pendingJobOf({
	entry,
	promptId,
	serverId,
	serverUrl = '',
	now = Date.now()
}: {
	entry: QueueEntry;
	promptId: string;
	serverId: string;
	serverUrl?: string;
	now?: number;
}): StoredJob {
	return {
		id: promptId,
		serverUrl,
		workflow: entry.workflow,
		...(entry.extraData ? { extraData: entry.extraData } : {}),
		status: 'pending',
		outputs: [],
		timings: { created: now },
		attempts: 0,
		serverId,
		createdAt: now,
		metadata: metadataOf(entry),
		app: { ...entry.app }
	};
}
