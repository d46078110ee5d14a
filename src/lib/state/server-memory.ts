import type { ComfyApi } from '$lib/comfy';
import type { QueryClient } from '@tanstack/svelte-query';
import { queueLengthOf } from '$lib/query/server-health';
import type { DeckDb } from '$lib/storage/db';
import type { ServerView } from './app.svelte';
import type { ConnectionsState } from './connections.svelte';
import { FreeMemoryAction } from './models-free.svelte';
import { StatsSampler, statsCharts, statsStoreFor, type LatestStats, type StatsCharts } from './stats.svelte';

/** What the live memory views need of the app (the `AppState`, or a stand-in in tests). */
export interface MemoryApp {
	readonly servers: ServerView[];
	connections: Pick<ConnectionsState, 'get' | 'onCheck' | 'check' | 'wantLive'>;
	queryClient: Pick<QueryClient, 'getQueryData' | 'getQueryState'>;
	apiFor(server: ServerView): ComfyApi;
}

/**
 * A sampler of the live charts fed by the app's shared `system_stats` checks (it never fetches by itself); the queue
 * length comes from what the query cache holds.
 */
function statsSamplerFor(o: {
	app: Pick<MemoryApp, 'servers' | 'connections' | 'queryClient'>;
	db: Promise<DeckDb | null>;
	intervalMs?: number;
}): StatsSampler {
	return new StatsSampler({
		subscribe: (listener) => o.app.connections.onCheck(listener),
		live: () => o.app.connections.wantLive(),
		// The socket's `status` or a `/queue` read (the Queue view's, the browser queue's), whichever is newer.
		queueLength: (serverId) => queueLengthOf({ queryClient: o.app.queryClient, serverId }),
		refresh: async (serverId) => {
			const servers = o.app.servers.filter((s) => !serverId || s.id === serverId);
			await Promise.all(servers.map((s) => o.app.connections.check({ server: s })));
		},
		store: statsStoreFor(o.db),
		intervalMs: o.intervalMs
	});
}

/**
 * The memory of each server as the Dashboard and Models views show it: the live charts of the last hour (VRAM
 * first) and one "unload models / free memory" action per server, whose effect the charts then show.
 */
export class ServerMemory {
	readonly sampler: StatsSampler;
	// One free-memory action per server; plain cache, the actions hold their own state.
	#free: Record<string, FreeMemoryAction | undefined> = {};

	constructor(o: { app: MemoryApp; db: Promise<DeckDb | null>; intervalMs?: number }) {
		this.sampler = statsSamplerFor(o);
	}

	/** The newest reading of a server, when there is one. */
	latestOf(serverId: string): LatestStats | undefined {
		return this.sampler.latest[serverId];
	}

	/** The live charts of a server (the last hour, GiB). */
	chartsFor(serverId: string): StatsCharts {
		return statsCharts(this.sampler.samples[serverId] ?? [], {
			now: Date.now(),
			windowMs: this.sampler.windowMs,
			intervalMs: this.sampler.intervalMs
		});
	}

	/** The "unload models / free memory" action of a server (the same one for as long as this view lives). */
	freeAction(serverId: string): FreeMemoryAction {
		let action = this.#free[serverId];
		if (!action) {
			action = new FreeMemoryAction();
			this.#free[serverId] = action;
		}
		return action;
	}
}
