import type { QueryClient } from '@tanstack/svelte-query';
// Files, not the core's barrel (which brings the client's code into the first load; see JobsState.clientFor).
import { createComfyApi, type ComfyApi } from '$lib/comfy/api';
import { createLogger, type Logger } from '$lib/comfy/logger';
import type { ServerHealth } from '$lib/comfy/batch';
import { createDeckQueryClient } from '$lib/query/client';
import { ServerDataCache } from '$lib/query/server-data-cache';
import { featuresQuery, cachedThenFresh } from '$lib/query/server-queries';
import { syncQueueWithSocket } from '$lib/query/socket-sync';
import { openDeckDb, type DeckDb, type ServerRecord } from '$lib/storage/db';
import { detectSameOriginComfy } from '$lib/util/same-origin';
import { MIB } from '$lib/util/units';
import { hostOf, serverLinkOffer, type ServerLinkOffer } from '$lib/util/server-url';
import { ConnectionsState } from './connections.svelte';
import { JobsState } from './jobs.svelte';
import { ResultSavingLoader } from './result-saving-loader.svelte';
import { ServerHealthState } from './server-health.svelte';
import { SettingsState } from './settings.svelte';

/** A server as the app lists it: a configured one, or the ComfyUI that serves this page. */
export interface ServerView extends ServerRecord {
	/** True for the same-origin ComfyUI found at start-up (not stored; found again on every load). */
	builtIn?: boolean;
}

export const SAME_ORIGIN_ID = 'same-origin';

// Uploads and freeing memory (and the query library's mutation code) load on their first use, not with the page.
const mutations = () => import('$lib/query/server-mutations');

const SAME_ORIGIN_KEY = 'comfy-deck:same-origin';

// Opened offline from a ComfyUI (--front-end-root), the check cannot ask it: the app it served last time is still
// its app, so its server stays listed (and says it cannot be reached) instead of vanishing.
function rememberedSameOrigin(): string | null {
	if (typeof navigator === 'undefined' || navigator.onLine) return null;
	try {
		return localStorage.getItem(SAME_ORIGIN_KEY);
	} catch {
		return null;
	}
}

function rememberSameOrigin(url: string | null): void {
	if (typeof navigator === 'undefined' || !navigator.onLine) return;
	try {
		if (url) localStorage.setItem(SAME_ORIGIN_KEY, url);
		else localStorage.removeItem(SAME_ORIGIN_KEY);
	} catch {
		// Storage refused (private mode): offline starts simply do not list it.
	}
}

/** The composition root's state: settings, the servers in use, and their connections. */
export class AppState {
	/** Comfy Deck's IndexedDB database (opened once per tab). */
	readonly db: Promise<DeckDb>;
	readonly settings: SettingsState;
	/** Every job of every server: live progress, and results kept in IndexedDB. */
	readonly jobs: JobsState;
	/**
	 * Results saved outside the browser as they arrive too: into a folder the user chose, or as downloads (its code
	 * loads with `start`, after the first paint's).
	 */
	readonly saving: ResultSavingLoader;
	/** Everything the servers say, cached and shared by every view (provided to components by the layout). */
	readonly queryClient: QueryClient = createDeckQueryClient();
	/** The client log ring buffer every server's API and socket write to (shown on the Logs view). */
	readonly logger: Logger = createLogger({ capacity: 1000 });
	readonly connections = new ConnectionsState({ queryClient: this.queryClient, logger: this.logger });
	/** object_info, model lists and features of every server, kept in IndexedDB between visits. */
	readonly serverData: ServerDataCache;
	/** Every server's socket state, latency, queue length and free VRAM, read from the query cache. */
	readonly health = new ServerHealthState({ queryClient: this.queryClient });
	#sameOriginUrl = $state<string | null>(null);
	#started = $state(false);
	/** Settles once `start` has loaded the settings and found the servers. */
	readonly whenStarted: Promise<void>;
	#markStarted: () => void = () => {};
	#serverLink = $state<ServerLinkOffer | null>(null);

	/** The ComfyUI that serves this page, when `start` found one (or remembers one while offline). */
	get sameOriginUrl(): string | null {
		return this.#sameOriginUrl;
	}

	/** True once `start` has loaded the settings and found the servers. */
	get started(): boolean {
		return this.#started;
	}

	/** The server a `?server=` link names, waiting for the user's answer: nothing is saved or contacted before a yes. */
	get serverLink(): ServerLinkOffer | null {
		return this.#serverLink;
	}

	/** The same-origin ComfyUI (when found) first, then the configured servers in the user's order. */
	get servers(): ServerView[] {
		return [
			...(this.#sameOriginUrl
				? [
						{
							id: SAME_ORIGIN_ID,
							name: 'This ComfyUI',
							baseUrl: this.#sameOriginUrl,
							order: -1,
							createdAt: 0,
							builtIn: true
						}
					]
				: []),
			...this.settings.servers
		];
	}

	// One REST client per server, rebuilt when its address or token changes. Not rendered: a plain object.
	#apis: Record<string, { key: string; api: ComfyApi } | undefined> = {};

	constructor(options: { dbName?: string } = {}) {
		this.whenStarted = new Promise((resolve) => (this.#markStarted = resolve));
		this.db = openDeckDb({
			name: options.dbName,
			// A record no view can read is left out of it; the log says which one and why.
			onUnreadable: (record) =>
				this.logger.warn('storage', `skipped ${record.store} record ${record.key}: ${record.problem}`)
		});
		this.settings = new SettingsState(this.db);
		this.saving = new ResultSavingLoader({
			db: this.db.catch(() => null),
			onError: (message) => this.logger.warn('storage', message)
		});
		this.serverData = new ServerDataCache({
			queryClient: this.queryClient,
			db: this.db.catch(() => null),
			onError: (message) => this.logger.warn('storage', message)
		});
		this.serverData.start();
		this.health.start();
		this.jobs = new JobsState({
			db: this.db,
			logger: this.logger,
			cacheBytes: () => this.settings.values.cacheMaxMb * MIB,
			onClient: (serverId, client) =>
				syncQueueWithSocket({ queryClient: this.queryClient, serverId, socket: client.socket }),
			onKept: (jobId) => void this.saving.saveRun(jobId)
		});
	}

	/** A server's health now (reactive); undefined before it was ever checked or connected. */
	serverHealth(serverId: string): ServerHealth | undefined {
		return this.health.get(serverId);
	}

	/** The typed REST API of a server (cached per address and token). */
	apiFor(server: Pick<ServerRecord, 'id' | 'baseUrl' | 'token'>): ComfyApi {
		const key = `${server.baseUrl} ${server.token ?? ''}`;
		const cached = this.#apis[server.id];
		if (cached?.key === key) return cached.api;
		const api = createComfyApi({ baseUrl: server.baseUrl, token: server.token, logger: this.logger });
		this.#apis[server.id] = { key, api };
		return api;
	}

	/**
	 * The parts of a server's API that go through the query cache: `/features` from the cache (IndexedDB too,
	 * refreshed in the background), uploads and freeing memory as mutations that invalidate what they change.
	 */
	cachedApiFor(
		server: Pick<ServerRecord, 'id' | 'baseUrl' | 'token'>
	): Pick<ComfyApi, 'getFeatures' | 'uploadImage' | 'uploadMask' | 'free'> {
		const api = this.apiFor(server);
		const queryClient = this.queryClient;
		const serverId = server.id;
		return {
			getFeatures: async () => {
				await this.serverData.hydrate(serverId);
				return (await cachedThenFresh(queryClient, featuresQuery({ serverId, api }))).data;
			},
			uploadImage: async (request) => {
				const { runMutation, uploadMutation } = await mutations();
				return runMutation(queryClient, uploadMutation({ queryClient, serverId, api }), request);
			},
			uploadMask: async (request) => {
				const { runMutation, uploadMutation } = await mutations();
				return runMutation(queryClient, uploadMutation({ queryClient, serverId, api }), request);
			},
			free: async (request = {}) => {
				const { freeMemoryMutation, runMutation } = await mutations();
				return runMutation(queryClient, freeMemoryMutation({ queryClient, serverId, api }), {
					unloadModels: request.unloadModels ?? false,
					freeMemory: request.freeMemory ?? false
				});
			}
		};
	}

	/**
	 * Loads settings, finds a same-origin ComfyUI, and reads the server named by `?server=` in the page URL (what
	 * `npm start` prints when COMFYUI_URL is set) as a question for the user (`serverLink`), never as a setting.
	 */
	async start({ pageUrl }: { pageUrl: string }): Promise<void> {
		// Not waited for: a run kept before it loads waits in the loader.
		void this.saving.load();
		const [, sameOrigin] = await Promise.all([this.settings.load(), detectSameOriginComfy({ pageUrl })]);
		this.#sameOriginUrl = sameOrigin ?? rememberedSameOrigin();
		rememberSameOrigin(sameOrigin);
		this.logger.setLevel(this.settings.values.logLevel);
		const configured = this.settings.servers.map((s) => s.baseUrl);
		this.#serverLink = serverLinkOffer({ pageUrl, sameOrigin: this.#sameOriginUrl, configured });
		this.#started = true;
		this.#markStarted();
	}

	/** The user's answer to a `?server=` link: only a yes adds the server (and so lets the app contact it). */
	async answerServerLink({ add }: { add: boolean }): Promise<void> {
		const offer = this.#serverLink;
		this.#serverLink = null;
		if (!add || offer?.kind !== 'ask' || this.settings.servers.some((s) => s.baseUrl === offer.url)) return;
		await this.settings.saveServer({ name: hostOf(offer.url), baseUrl: offer.url });
	}
}
