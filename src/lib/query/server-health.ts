import type { QueryClient } from '@tanstack/svelte-query';
import type { Queue, SocketState, SystemStats } from '$lib/comfy';
import type { ServerHealth } from '$lib/comfy/batch';
import { serverKeys } from './keys';

/** The kinds of server query a health reads: a change to one of them may change the server's health. */
export const HEALTH_KINDS: ReadonlySet<string> = new Set([
	'system_stats',
	'queue',
	'queue_remaining',
	'socket'
]);

/** What the connection check's `system_stats` query holds (the state layer's `StatsReading`). */
interface CheckReading {
	stats: Pick<SystemStats, 'devices'>;
	latencyMs: number;
}

/**
 * A server's health from the query cache alone: its socket's state, the latency and free VRAM of its last
 * `system_stats` check, and its queue length (the socket's `queue_remaining` or the last `/queue` read, whichever
 * is newer). Undefined before the server was ever checked or connected. While the checks fail, the socket counts
 * as reconnecting and the numbers as unknown: an old reading says nothing about a server that does not answer.
 * The dispatcher and Settings read it; it fetches nothing.
 */
export function serverHealth(o: {
	queryClient: Pick<QueryClient, 'getQueryState'>;
	serverId: string;
}): ServerHealth | undefined {
	const check = o.queryClient.getQueryState<CheckReading>(serverKeys.systemStats(o.serverId));
	const socket = o.queryClient.getQueryState<SocketState>(serverKeys.socket(o.serverId))?.data;
	if (check?.data === undefined && check?.status !== 'error' && socket === undefined) return undefined;
	if (check && (check.status === 'error' || check.fetchFailureCount > 0)) return { socket: 'reconnecting' };
	const health: ServerHealth = { socket: socket ?? 'idle' };
	if (check?.data) {
		health.latencyMs = check.data.latencyMs;
		const free = check.data.stats.devices[0]?.vram_free;
		if (free !== undefined) health.freeVramBytes = free;
	}
	const queueLength = queueLengthOf(o);
	if (queueLength !== undefined) health.queueLength = queueLength;
	return health;
}

/**
 * Running plus pending prompts of every client, from whichever of the two sources answered last (the socket's
 * `status`, a `/queue` read); undefined while neither did.
 */
export function queueLengthOf(o: {
	queryClient: Pick<QueryClient, 'getQueryState'>;
	serverId: string;
}): number | undefined {
	const { queryClient, serverId } = o;
	const remaining = queryClient.getQueryState<number>(serverKeys.queueRemaining(serverId));
	const queue = queryClient.getQueryState<Queue>(serverKeys.queue(serverId));
	const fromQueue = queue?.data
		? queue.data.queue_running.length + queue.data.queue_pending.length
		: undefined;
	if (remaining?.data === undefined) return fromQueue;
	if (fromQueue === undefined || !queue) return remaining.data;
	return queue.dataUpdatedAt > remaining.dataUpdatedAt ? fromQueue : remaining.data;
}
