import type { QueryClient } from '@tanstack/svelte-query';
import type { SocketEvent, SocketState } from '$lib/comfy';
import { serverKeys } from './keys';

/**
 * Keeps a server's cached queue in step with its WebSocket: every `status` message (sent whenever a prompt is
 * queued, starts or ends) stores the queue length and invalidates the queue, so an open Queue view reads it again
 * at once instead of at its next poll; nothing is fetched while no view shows the queue. A (re)connected socket
 * may have missed changes: the queue is invalidated too. The socket's state is kept beside them (the server's
 * health reads it). Returns the unsubscribe function.
 */
export function syncQueueWithSocket(o: {
	queryClient: Pick<QueryClient, 'setQueryData' | 'invalidateQueries'>;
	serverId: string;
	socket: { readonly state?: SocketState; subscribe(listener: (event: SocketEvent) => void): () => void };
}): () => void {
	if (o.socket.state !== undefined) o.queryClient.setQueryData(serverKeys.socket(o.serverId), o.socket.state);
	return o.socket.subscribe((event) => {
		if (event.type === 'state') {
			o.queryClient.setQueryData(serverKeys.socket(o.serverId), event.state);
		} else if (event.type === 'status') {
			const remaining = event.data.status?.exec_info.queue_remaining;
			if (remaining !== undefined)
				o.queryClient.setQueryData(serverKeys.queueRemaining(o.serverId), remaining);
			void o.queryClient.invalidateQueries({ queryKey: serverKeys.queue(o.serverId) });
		} else if (event.type === 'connected') {
			void o.queryClient.invalidateQueries({ queryKey: serverKeys.queue(o.serverId) });
		}
	});
}
