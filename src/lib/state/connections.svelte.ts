import { untrack } from 'svelte';
import { probeServer } from '$lib/comfy';

/** How one server looks from this tab right now. */
export interface ServerConnection {
	status: 'checking' | 'online' | 'offline';
	latencyMs?: number;
	comfyuiVersion?: string;
	/** What went wrong, in plain language, when offline. */
	message?: string;
	/** What to do about it. */
	hint?: string;
	diagnosis?: string;
	checkedAt?: number;
}

/** The minimum a connection check needs to know about a server. */
export interface ServerTarget {
	id: string;
	baseUrl: string;
	token?: string;
}

const RECHECK_MS = 30_000;

/** Reachability of every configured server, re-checked while the tab is visible. */
export class ConnectionsState {
	#byId = $state<Record<string, ServerConnection>>({});
	// Plain bookkeeping, not rendered: no reactivity needed.
	#inFlight: Record<string, AbortController | undefined> = {};

	/** The last known state of a server. */
	get(id: string): ServerConnection {
		return this.#byId[id] ?? { status: 'checking' };
	}

	/** Probes one server now; a newer check cancels an older one. */
	async check(server: ServerTarget): Promise<ServerConnection> {
		this.#inFlight[server.id]?.abort();
		const controller = new AbortController();
		this.#inFlight[server.id] = controller;
		// Untracked: `watch` runs inside the layout's effect, and reading the state it then writes would make that
		// effect re-run itself without end (effect_update_depth_exceeded, a frozen page with any server).
		const previous = untrack(() => this.#byId[server.id]);
		this.#byId[server.id] = { ...previous, status: previous?.status === 'online' ? 'online' : 'checking' };

		const result = await probeServer({
			baseUrl: server.baseUrl,
			token: server.token,
			signal: controller.signal,
			pageUrl: typeof location === 'undefined' ? undefined : location.href
		});
		if (controller.signal.aborted) return this.get(server.id);
		delete this.#inFlight[server.id];
		const next: ServerConnection = result.ok
			? {
					status: 'online',
					latencyMs: result.latencyMs,
					comfyuiVersion: result.systemStats.system.comfyui_version,
					checkedAt: Date.now()
				}
			: {
					status: 'offline',
					message: result.error.message,
					hint: result.error.hint,
					diagnosis: result.error.diagnosis,
					checkedAt: Date.now()
				};
		this.#byId[server.id] = next;
		return next;
	}

	/**
	 * Keeps every server of `servers()` checked: now, every 30 s while the page is visible, and at once when the
	 * tab comes back or the browser goes online. Returns a function that stops it.
	 */
	watch(servers: () => ServerTarget[]): () => void {
		const checkAll = () => {
			if (document.visibilityState === 'visible') for (const server of servers()) void this.check(server);
		};
		checkAll();
		const timer = setInterval(checkAll, RECHECK_MS);
		document.addEventListener('visibilitychange', checkAll);
		window.addEventListener('online', checkAll);
		return () => {
			clearInterval(timer);
			document.removeEventListener('visibilitychange', checkAll);
			window.removeEventListener('online', checkAll);
			for (const controller of Object.values(this.#inFlight)) controller?.abort();
		};
	}
}
