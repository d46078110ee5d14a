import type { QueryClient } from '@tanstack/svelte-query';
import type { ServerHealth } from '$lib/comfy/batch';
import { serverIdOf } from '$lib/query/keys';
import { HEALTH_KINDS, serverHealth } from '$lib/query/server-health';

/**
 * Every server's health (socket state, latency, queue length, free VRAM) as reactive reads of the query cache:
 * `get(id)` is read again by any view or effect that used it whenever a check, a socket state or a queue length
 * of a server changes. Settings shows it; the dispatcher picks servers by it.
 */
export class ServerHealthState {
	#queryClient: QueryClient;
	// Bumped (at most once a microtask) when a health query changes: the cache itself is not reactive.
	#version = $state(0);
	#bumpQueued = false;

	constructor({ queryClient }: { queryClient: QueryClient }) {
		this.#queryClient = queryClient;
	}

	/** Starts following the query cache; returns the function that stops it. */
	start(): () => void {
		return this.#queryClient.getQueryCache().subscribe((event) => {
			const key = event.query.queryKey;
			if (!serverIdOf(key) || !HEALTH_KINDS.has(String(key[2]))) return;
			if (this.#bumpQueued) return;
			this.#bumpQueued = true;
			// Not at once: the cache may change while a view is being derived, where state cannot be written.
			queueMicrotask(() => {
				this.#bumpQueued = false;
				this.#version++;
			});
		});
	}

	/** A server's health now; undefined before it was ever checked or connected. */
	get(serverId: string): ServerHealth | undefined {
		void this.#version;
		return serverHealth({ queryClient: this.#queryClient, serverId });
	}
}
