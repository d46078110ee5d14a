import type { QueryClient } from '@tanstack/svelte-query';
import { untrack } from 'svelte';
// Files, not the core's barrel (which brings the client's code into the first load; see JobsState.clientFor).
import type { ConnectionDiagnosis, Logger, SystemStats } from '$lib/comfy';
import type { probeServer, ProbeServerResult } from '$lib/comfy/probe-server';
import { retryDelayMs } from '$lib/query/backoff';
import { serverKeys } from '$lib/query/keys';

/** How one server looks from this tab right now. */
export interface ServerConnection {
	status: 'checking' | 'online' | 'offline';
	latencyMs?: number;
	comfyuiVersion?: string;
	/** What went wrong, in plain language, when offline. */
	message?: string;
	/** What to do about it. */
	hint?: string;
	diagnosis?: ConnectionDiagnosis;
	checkedAt?: number;
	/** The newest `/system_stats` answer. */
	stats?: SystemStats;
	/** Checks that failed in a row (0 while online): how far the retries have backed off. */
	failures?: number;
}

/** The minimum a connection check needs to know about a server. */
export interface ServerTarget {
	id: string;
	baseUrl: string;
	token?: string;
}

/** What the `system_stats` query holds. */
export interface StatsReading {
	stats: SystemStats;
	latencyMs: number;
	at: number;
}

/** What one check gave: a reading, or why there was none. */
export type CheckOutcome = { ok: true; reading: StatsReading } | { ok: false; message: string };

/** How often a server is checked while nothing on screen shows live numbers. */
export const IDLE_POLL_MS = 30_000;
/** How often while a view with live numbers (Dashboard, Models) is open. */
export const LIVE_POLL_MS = 3_000;

// Diagnoses that a `no-cors` follow-up told apart from a dead server; kept while the same failure repeats.
const TOLD_APART = new Set<ConnectionDiagnosis>(['cors', 'origin-check']);

/**
 * Reachability of every configured server, from one `system_stats` query per server (the header badge polls it;
 * every other view reads it from here or the query cache). A reachable server is checked every 30 s, every 3 s
 * while a live view is open; an unreachable one backs off from 1 s to 30 s (plus jitter). Checks stop while the
 * tab is hidden and run at once when it is shown again or the browser goes online (the query client does both).
 */
export class ConnectionsState {
	#byId = $state<Record<string, ServerConnection>>({});
	/** Views open that show live numbers (each asked with `live()`). */
	#liveViews = $state(0);
	#client: QueryClient;
	#pageUrl: () => string | undefined;
	#probe: typeof probeServer;
	#logger: Logger | undefined;
	#listeners = new Set<(serverId: string, outcome: CheckOutcome) => void>();

	/** @param o.probe the connection check (tests pass a stand-in). */
	constructor(o: {
		queryClient: QueryClient;
		pageUrl?: () => string | undefined;
		probe?: typeof probeServer;
		logger?: Logger;
	}) {
		this.#client = o.queryClient;
		this.#logger = o.logger;
		// Loaded with the first check (after the first paint), not with the page.
		this.#probe =
			o.probe ?? (async (options) => (await import('$lib/comfy/probe-server')).probeServer(options));
		this.#pageUrl = o.pageUrl ?? (() => (typeof location === 'undefined' ? undefined : location.href));
	}

	/** The last known state of a server. */
	get(id: string): ServerConnection {
		return this.#byId[id] ?? { status: 'checking' };
	}

	/** True while some open view wants live numbers. */
	get live(): boolean {
		return this.#liveViews > 0;
	}

	/** Asks for live numbers (3 s) while a view is open; returns the function that gives the request back. */
	wantLive(): () => void {
		this.#liveViews++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.#liveViews--;
		};
	}

	/** Time until a server is checked again: backed off while it fails, else the live or idle interval. */
	nextCheckMs(id: string): number {
		const failures = untrack(() => this.#byId[id]?.failures ?? 0);
		if (failures > 0) return retryDelayMs(failures);
		return this.#liveViews > 0 ? LIVE_POLL_MS : IDLE_POLL_MS;
	}

	/** Listens to every check's outcome (the dashboard's charts); returns the unsubscribe function. */
	onCheck(listener: (serverId: string, outcome: CheckOutcome) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** The `system_stats` query of a server, for `createQuery` (the poller) or a one-off fetch. */
	statsQuery(server: ServerTarget) {
		return {
			queryKey: serverKeys.systemStats(server.id),
			queryFn: ({ signal }: { signal: AbortSignal }) => this.#read(server, signal, false),
			refetchInterval: () => this.nextCheckMs(server.id),
			// Read here so that the options change (and the poll interval is recomputed) when a live view opens.
			meta: { live: this.live },
			// Another view mounting right after a check does not check again.
			staleTime: LIVE_POLL_MS - 500
		};
	}

	/**
	 * Checks one server now (the "Check again" button, a newly added server, Generate on a server not known to be
	 * online). `timeoutMs` bounds each of the check's (at most two) requests.
	 */
	async check({
		server,
		timeoutMs
	}: {
		server: ServerTarget;
		timeoutMs?: number;
	}): Promise<ServerConnection> {
		// A poll in flight has the default 5 s bound, and fetchQuery would join it: someone waiting on this check
		// (Generate on a silent server) then waited for the poll instead of this check's own, shorter bound.
		if (timeoutMs !== undefined)
			await this.#client.cancelQueries({ queryKey: serverKeys.systemStats(server.id) });
		await this.#client
			.fetchQuery({
				...this.statsQuery(server),
				queryFn: ({ signal }) => this.#read(server, signal, true, timeoutMs),
				staleTime: 0
			})
			.catch(() => undefined);
		return this.get(server.id);
	}

	/** Forgets servers no longer configured: their state and every query of theirs. */
	retain(ids: string[]): void {
		const keep = new Set(ids);
		for (const id of Object.keys(untrack(() => this.#byId))) {
			if (keep.has(id)) continue;
			delete this.#byId[id];
			this.#client.removeQueries({ queryKey: serverKeys.all(id) });
		}
	}

	async #read(
		server: ServerTarget,
		signal: AbortSignal,
		asked: boolean,
		timeoutMs?: number
	): Promise<StatsReading> {
		const previous = untrack(() => this.#byId[server.id]);
		if (!previous) this.#byId[server.id] = { status: 'checking' };
		// A server already diagnosed is asked once per retry, not twice (the `no-cors` follow-up that tells CORS from
		// a dead server is for the first failure, and for checks the user asks for).
		const refine = asked || previous?.status !== 'offline';
		const result = await this.#probe({
			baseUrl: server.baseUrl,
			token: server.token,
			signal,
			pageUrl: this.#pageUrl(),
			refine,
			timeoutMs,
			logger: this.#logger
		});
		if (signal.aborted) throw signal.reason;
		this.#record(server.id, result, previous);
		const reading = result.ok
			? { stats: result.systemStats, latencyMs: result.latencyMs, at: Date.now() }
			: undefined;
		const outcome: CheckOutcome = reading
			? { ok: true, reading }
			: { ok: false, message: untrack(() => this.get(server.id).message) ?? 'Cannot reach the server.' };
		for (const listener of this.#listeners) listener(server.id, outcome);
		if (!reading) throw (result as { error: Error }).error;
		return reading;
	}

	#record(id: string, result: ProbeServerResult, previous: ServerConnection | undefined) {
		if (result.ok) {
			this.#byId[id] = {
				status: 'online',
				latencyMs: result.latencyMs,
				comfyuiVersion: result.systemStats.system.comfyui_version,
				stats: result.systemStats,
				checkedAt: Date.now(),
				failures: 0
			};
			return;
		}
		const failures = (previous?.failures ?? 0) + 1;
		const unrefined = result.error.diagnosis === 'unreachable' && result.error.status === undefined;
		// Same failure as before, not told apart this time: keep the earlier, more precise explanation.
		if (
			unrefined &&
			previous?.status === 'offline' &&
			previous.diagnosis &&
			TOLD_APART.has(previous.diagnosis)
		) {
			this.#byId[id] = { ...previous, failures, checkedAt: Date.now() };
			return;
		}
		this.#byId[id] = {
			status: 'offline',
			message: result.error.message,
			hint: result.error.hint,
			diagnosis: result.error.diagnosis,
			checkedAt: Date.now(),
			failures
		};
	}
}
