import type { ComfyApi, Queue } from '$lib/comfy';
import { serverKeys } from './keys';

/** How often an open Queue view reads the queue (the socket's `status` messages refresh it in between). */
export const QUEUE_POLL_MS = 5_000;
/** `/object_info` is large and changes only when nodes are installed: read again after this long. */
export const OBJECT_INFO_STALE_MS = 5 * 60_000;

/** The queue of a server, for `createQuery`/`createQueries`: polled while shown, paused while it is offline. */
export function queueQuery(o: { serverId: string; api: Pick<ComfyApi, 'getQueue'>; enabled: boolean }) {
	return {
		queryKey: serverKeys.queue(o.serverId),
		queryFn: ({ signal }: { signal: AbortSignal }): Promise<Queue> =>
			o.api.getQueue({ signal, timeoutMs: 5_000 }),
		refetchInterval: QUEUE_POLL_MS,
		enabled: o.enabled
	};
}

/** `/object_info` of a server: fetched once, shared by every view, read again after a few minutes. */
export function objectInfoQuery(o: { serverId: string; api: Pick<ComfyApi, 'getObjectInfo'> }) {
	return {
		queryKey: serverKeys.objectInfo(o.serverId),
		queryFn: ({ signal }: { signal: AbortSignal }) => o.api.getObjectInfo({ signal }),
		staleTime: OBJECT_INFO_STALE_MS
	};
}
