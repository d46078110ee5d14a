import type { QueryClient } from '@tanstack/svelte-query';
import type { ComfyApi, Features, Queue } from '$lib/comfy';
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

/** `/features` of a server (upload limit and the like): changes only with its version. */
export function featuresQuery(o: { serverId: string; api: Pick<ComfyApi, 'getFeatures'> }) {
	return {
		queryKey: serverKeys.features(o.serverId),
		queryFn: ({ signal }: { signal: AbortSignal }): Promise<Features> => o.api.getFeatures({ signal }),
		staleTime: OBJECT_INFO_STALE_MS
	};
}

/** What a fresh read gave: the data, or the error it failed with. */
export type FreshResult<T> = { ok: true; data: T } | { ok: false; error: unknown };

/** The cached answer (with when the server gave it), and the read that refreshes it when it is stale. */
export interface CachedThenFresh<T> {
	data: T;
	/** When the server gave `data`, ms. */
	updatedAt: number;
	/** Present when `data` came from the cache and was stale: resolves (never rejects) when the read ends. */
	fresh?: Promise<FreshResult<T>>;
}

/**
 * A query's data at once when the cache holds it (an earlier read, or IndexedDB), refreshed in the background
 * when stale; else the first read, awaited (and thrown on failure). Lets a view open at once, offline too.
 */
export async function cachedThenFresh<T>(
	queryClient: QueryClient,
	query: {
		queryKey: readonly unknown[];
		queryFn: (context: { signal: AbortSignal }) => Promise<T>;
		staleTime?: number;
	}
): Promise<CachedThenFresh<T>> {
	const state = queryClient.getQueryState<T>(query.queryKey);
	if (state?.data !== undefined) {
		const stale = state.isInvalidated || Date.now() - state.dataUpdatedAt >= (query.staleTime ?? 0);
		if (!stale) return { data: state.data, updatedAt: state.dataUpdatedAt };
		const fresh = queryClient.fetchQuery<T>({ ...query, staleTime: 0 }).then(
			(data): FreshResult<T> => ({ ok: true, data }),
			(error: unknown): FreshResult<T> => ({ ok: false, error })
		);
		return { data: state.data, updatedAt: state.dataUpdatedAt, fresh };
	}
	const data = await queryClient.fetchQuery<T>(query);
	return { data, updatedAt: queryClient.getQueryState(query.queryKey)?.dataUpdatedAt ?? Date.now() };
}
