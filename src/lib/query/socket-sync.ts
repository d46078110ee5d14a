import type { QueryClient } from '@tanstack/svelte-query';
import type { SocketEvent, SocketState } from '$lib/comfy';
import { serverKeys } from './keys';

/**
 * Least time between two re-reads of a server's queue prompted by its socket (ms). A busy server sends several
 * `status` messages per prompt (queued, started, ended), dozens a second on a fast one: re-reading `/queue` for
 * each cost the page more than the prompts themselves. The first message of a burst reads at once and the last
 * one is never lost (a read follows at the end of the window).
 */
export const QUEUE_REREAD_MS = 500;

/**
 * Keeps a server's cached queue in step with its WebSocket: every `status` message (sent whenever a prompt is
 * queued, starts or ends) stores the queue length and invalidates the queue, so an open Queue view reads it again
 * soon instead of at its next poll (at once for the first message, then at most every `QUEUE_REREAD_MS`); nothing
 * is fetched while no view shows the queue. A (re)connected socket may have missed changes: the queue is
 * invalidated at once. The socket's state is kept beside them (the server's health reads it). Returns the
 * unsubscribe function.
 */
export function syncQueueWithSocket(o: {
	queryClient: Pick<QueryClient, 'setQueryData' | 'invalidateQueries'>;
	serverId: string;
	socket: { readonly state?: SocketState; subscribe(listener: (event: SocketEvent) => void): () => void };
	rereadMs?: number;
}): () => void {
	const rereadMs = o.rereadMs ?? QUEUE_REREAD_MS;
	let lastRead = -Infinity;
	let trailing: ReturnType<typeof setTimeout> | undefined;
	const invalidate = () => {
		if (trailing !== undefined) clearTimeout(trailing);
		trailing = undefined;
		lastRead = Date.now();
		void o.queryClient.invalidateQueries({ queryKey: serverKeys.queue(o.serverId) });
	};
	const invalidateSoon = () => {
		const wait = lastRead + rereadMs - Date.now();
		if (wait <= 0) invalidate();
		else trailing ??= setTimeout(invalidate, wait);
	};
	if (o.socket.state !== undefined) o.queryClient.setQueryData(serverKeys.socket(o.serverId), o.socket.state);
	const unsubscribe = o.socket.subscribe((event) => {
		if (event.type === 'state') {
			o.queryClient.setQueryData(serverKeys.socket(o.serverId), event.state);
		} else if (event.type === 'status') {
			const remaining = event.data.status?.exec_info.queue_remaining;
			if (remaining !== undefined)
				o.queryClient.setQueryData(serverKeys.queueRemaining(o.serverId), remaining);
			invalidateSoon();
		} else if (event.type === 'connected') {
			invalidate();
		}
	});
	return () => {
		unsubscribe();
		if (trailing !== undefined) clearTimeout(trailing);
		trailing = undefined;
	};
}
