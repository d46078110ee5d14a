/**
 * Query keys of everything a server says, all under `['server', id]` so that one server's data can be
 * invalidated, refetched or dropped together (a removed server, a changed address).
 */
export const serverKeys = {
	/** Every query of one server. */
	all: (serverId: string) => ['server', serverId] as const,
	/** `/system_stats`: the connection check, the badge and the dashboard's numbers share it. */
	systemStats: (serverId: string) => ['server', serverId, 'system_stats'] as const,
	/** `/queue`: running and pending prompts. */
	queue: (serverId: string) => ['server', serverId, 'queue'] as const,
	/** Prompts left, as the socket's `status` messages report it (never fetched). */
	queueRemaining: (serverId: string) => ['server', serverId, 'queue_remaining'] as const,
	/** The WebSocket's state (`open`, `reconnecting`…), as its `state` events report it (never fetched). */
	socket: (serverId: string) => ['server', serverId, 'socket'] as const,
	/** `/object_info`: every node class and its inputs. */
	objectInfo: (serverId: string) => ['server', serverId, 'object_info'] as const,
	/** `/models` and `/models/{folder}` and the embeddings: the Models view's lists. */
	models: (serverId: string) => ['server', serverId, 'models'] as const,
	/** `/features`: upload limits and the like. */
	features: (serverId: string) => ['server', serverId, 'features'] as const
};

/** The server id of a server query key, or undefined for other keys. */
export function serverIdOf(key: readonly unknown[]): string | undefined {
	return key[0] === 'server' && typeof key[1] === 'string' ? key[1] : undefined;
}
