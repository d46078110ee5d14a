// Files, not the core's barrel: the barrel also exports the client, whose code loads only when a server is used
// (clientFor), after the landing route shows.
import type { ComfyClient, JobChange, JobImage, JobRecord, Logger } from '$lib/comfy';
import { isTerminal } from '$lib/comfy/job-store';
import type { DeckDb, ServerRecord } from '$lib/storage/db';
import { browserJournalStorage } from '$lib/storage/job-journal';
import {
	createIndexedDbJobStore,
	endJobsOfServersGone,
	listJobsOfServer,
	type JobAppInfo,
	type StagedJobs,
	type StoredJob
} from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import { FreshResults, type FreshResult } from './fresh-results.svelte';
import { HistoryChanges } from './history-changes';
import { keepNamedOutputs, keepRun, loadKeeper } from './keep-run';
import type { createComfyClient as CreateComfyClient } from '$lib/comfy/client';

/** The newest preview of a running job, as an object URL the page can show. */
export interface LivePreview {
	url: string;
	nodeId?: string;
	at: number;
}

type ServerLike = Pick<ServerRecord, 'id' | 'baseUrl' | 'token'>;

const CHANNEL = 'comfy-deck-jobs';

/**
 * Every job of every server in this tab: one protocol client per server (one socket per server per tab), their
 * jobs mirrored as state for the views, and each success's images fetched once and kept in IndexedDB with a
 * thumbnail — whatever view is open, so nothing generated is lost to navigation or a reload.
 */
export class JobsState {
	#byId = $state<Record<string, JobRecord & { serverId: string }>>({});
	#previews = $state<Record<string, LivePreview | undefined>>({});
	#historyVersion = $state(0);
	#keepError = $state<string | null>(null);

	#db: Promise<DeckDb>;
	#logger: Logger;
	// Not rendered: plain bookkeeping.
	#clients: Record<string, { key: string; client: ComfyClient; stop: () => void } | undefined> = {};
	#keeping = new Set<string>();
	// Per running job, its files kept so far as the socket named them (keepNamedOutputs), one pass at a time.
	// The record as the last pass left it: the end's keepRun reads no more.
	#keptEarly = new Map<string, { named: number; pass: Promise<StoredJob | undefined> }>();
	#fresh = new FreshResults();
	#staged: StagedJobs = new Map();
	#channel: BroadcastChannel | null = null;
	#cacheBytes: () => number;
	#onClient: ((serverId: string, client: ComfyClient) => () => void) | undefined;
	#wanted = new Set<string>();
	// Servers whose last check failed: their clients stay only while they have unfinished jobs.
	#offline = new Set<string>();
	#loadingClient: Promise<{ createComfyClient: typeof CreateComfyClient }> | undefined;
	#clientCode: typeof CreateComfyClient | undefined;
	#onKept: ((jobId: string) => void) | undefined;
	// Which jobs each recent history change was about: views then read only those, not everything again.
	#changes = new HistoryChanges();

	/**
	 * @param options.cacheBytes the result cache's size limit, read when a result is cached (a setting).
	 * @param options.onClient called with each new server client (the query cache follows its socket); returns
	 *   the function that stops it when the client closes.
	 * @param options.onKept told each time a run's results were written to IndexedDB (to save them elsewhere too).
	 */
	constructor(options: {
		db: Promise<DeckDb>;
		logger: Logger;
		cacheBytes: () => number;
		onClient?: (serverId: string, client: ComfyClient) => () => void;
		onKept?: (jobId: string) => void;
	}) {
		this.#onKept = options.onKept;
		this.#db = options.db;
		this.#onClient = options.onClient;
		this.#logger = options.logger;
		this.#cacheBytes = options.cacheBytes;
		if (typeof BroadcastChannel !== 'undefined') {
			this.#channel = new BroadcastChannel(CHANNEL);
			this.#channel.onmessage = () => this.#bump(null);
		}
	}

	/** Live records by prompt id (all servers), updated from the trackers. */
	get byId(): Readonly<Record<string, JobRecord & { serverId: string }>> {
		return this.#byId;
	}

	/** The newest preview per running job. */
	get previews(): Readonly<Record<string, LivePreview | undefined>> {
		return this.#previews;
	}

	/** Bumped whenever history changed here or in another tab, so history views reload. */
	get historyVersion(): number {
		return this.#historyVersion;
	}

	/** The jobs changed after `version`; null when not known (another tab, a delete, an import): read all. */
	changesSince(version: number): readonly string[] | null {
		return this.#changes.since(version, this.#historyVersion);
	}

	/** A job's outputs whose bytes are in but may not be kept yet (shown at once; gone once kept). */
	freshResults(id: string): readonly FreshResult[] | undefined {
		return this.#fresh.of(id);
	}

	/** The last thing that went wrong while keeping results (shown, never thrown). */
	get keepError(): string | null {
		return this.#keepError;
	}

	/**
	 * The protocol client of a server, created on first use: its socket connects, its stored unfinished jobs are
	 * restored and reconciled over REST. The client's code (socket, job tracker) is loaded here, not with the page:
	 * the landing route shows without it.
	 */
	async clientFor(server: ServerLike): Promise<ComfyClient> {
		const { createComfyClient } = await this.#clientModule();
		return this.#clientNow(server, createComfyClient);
	}

	/**
	 * Starts clients for these servers and closes those of servers no longer listed. A server in `offline` (its last
	 * check failed) gets no new client; its client closes once it has no unfinished job. A check can fail while the
	 * server works (busy, a slow link): a new client took a job whose POST was in flight for one the server forgot.
	 */
	syncServers(options: { servers: ServerLike[]; offline?: ReadonlySet<string> }): void {
		const { servers, offline = new Set() } = options;
		const ids = new Set(servers.map((s) => s.id));
		this.#wanted = new Set([...ids].filter((id) => !offline.has(id)));
		this.#offline = new Set([...offline].filter((id) => ids.has(id)));
		for (const [id, entry] of Object.entries(this.#clients)) {
			if (!entry) continue;
			if (!ids.has(id)) this.#closeClient(id);
			else if (this.#offline.has(id)) this.#closeIfIdle(id);
			// Back: its socket tries now, not at the end of its backoff.
			else if (['reconnecting', 'offline'].includes(entry.client.socket.state))
				entry.client.socket.reconnect();
		}
		const wanted = servers.filter((s) => this.#wanted.has(s.id));
		if (!wanted.length) return;
		void this.#clientModule().then(({ createComfyClient }) => {
			// The list may have changed while the code loaded: only servers still listed get a client.
			for (const server of wanted)
				if (this.#wanted.has(server.id)) this.#clientNow(server, createComfyClient);
		});
	}

	#closeClient(id: string) {
		const entry = this.#clients[id];
		if (!entry) return;
		entry.stop();
		void entry.client.close();
		delete this.#clients[id];
	}

	/** Closes the client of a server that is offline once none of its jobs is unfinished. */
	#closeIfIdle(id: string) {
		const entry = this.#clients[id];
		if (!entry || !this.#offline.has(id)) return;
		if (entry.client.jobs.list().some((job) => !isTerminal(job.status))) return;
		this.#closeClient(id);
	}

	/** Settles once the client's code is loaded; from then on `loadedClientFor` answers for every server. */
	async clientCode(): Promise<void> {
		await this.#clientModule();
	}

	/**
	 * `clientFor` for callers that cannot wait (the browser queue reads its servers synchronously): the client, or
	 * undefined while the client's code is still loading (started here; call after `clientCode()` to never see it).
	 */
	loadedClientFor(server: ServerLike): ComfyClient | undefined {
		if (!this.#clientCode) {
			void this.#clientModule();
			return undefined;
		}
		return this.#clientNow(server, this.#clientCode);
	}

	#clientModule() {
		return (this.#loadingClient ??= import('$lib/comfy/client').then((module) => {
			this.#clientCode = module.createComfyClient;
			return module;
		}));
	}

	#clientNow(server: ServerLike, createComfyClient: typeof CreateComfyClient): ComfyClient {
		const key = `${server.baseUrl} ${server.token ?? ''}`;
		const existing = this.#clients[server.id];
		if (existing?.key === key) return existing.client;
		if (existing) this.#closeClient(server.id);
		void loadKeeper().catch(() => undefined); // fetched now: the first result is kept (and cached) at once
		const client = createComfyClient({
			baseUrl: server.baseUrl,
			token: server.token,
			logger: this.#logger,
			jobStore: createIndexedDbJobStore({
				db: this.#db,
				serverId: server.id,
				staged: this.#staged,
				journal: browserJournalStorage()
			})
		});
		const unsubscribe = client.jobs.subscribe((change) => this.#onChange(server.id, client, change));
		const unfollow = this.#onClient?.(server.id, client);
		const stop = () => {
			unsubscribe();
			unfollow?.();
		};
		this.#clients[server.id] = { key, client, stop };
		void client.ready.then(() => {
			for (const job of client.jobs.list()) this.#mirror(server.id, job);
			return this.#keepMissing(server.id, client);
		});
		return client;
	}

	/**
	 * Ends the unfinished jobs of servers that are no longer configured: nothing can follow them any more, so they
	 * say so instead of staying pending forever. Their records and kept images stay in history.
	 * @param serverIds every server still in use (jobs of these are left alone)
	 */
	async endJobsOfRemovedServers(serverIds: string[]): Promise<void> {
		const ended = await endJobsOfServersGone({
			db: await this.#db,
			keep: new Set(serverIds),
			now: Date.now()
		});
		for (const job of ended) {
			if (this.#byId[job.id]) this.#byId[job.id] = { ...this.#byId[job.id], ...job };
			this.#dropPreview(job.id);
		}
		if (ended.length) this.announce(ended.map((job) => job.id));
	}

	/** Live jobs, newest first. */
	get list(): (JobRecord & { serverId: string })[] {
		return Object.values(this.#byId).sort((a, b) => b.timings.created - a.timings.created);
	}

	/** Closes every client (page unload, tests). */
	async close(): Promise<void> {
		for (const entry of Object.values(this.#clients)) {
			entry?.stop();
			await entry?.client.close();
		}
		this.#clients = {};
		this.#channel?.close();
	}

	/**
	 * The app's part of a job about to be submitted (template, parameters, labels): its server's store writes it with
	 * the tracker's first record, so the job is saved whole in one write before the POST. Returns the function that
	 * takes it back (nothing was submitted after all).
	 */
	stage(id: string, entry: { serverId: string; app: JobAppInfo }): () => void {
		this.#staged.set(id, entry);
		return () => void this.#staged.delete(id);
	}

	/** Tells this tab's views and other tabs that history changed (about `ids`; none: views read all again). */
	announce(ids?: readonly string[]): void {
		this.#bump(ids ?? null);
		this.#channel?.postMessage('changed');
	}

	#bump(ids: readonly string[] | null) {
		this.#historyVersion++;
		this.#changes.add(this.#historyVersion, ids);
	}

	#mirror(serverId: string, job: JobRecord) {
		this.#byId[job.id] = { ...job, serverId };
	}

	#onChange(serverId: string, client: ComfyClient, change: JobChange) {
		if (change.kind === 'removed') {
			delete this.#byId[change.job.id];
			this.#dropPreview(change.job.id);
			return;
		}
		this.#mirror(serverId, change.job);
		if (change.preview) {
			const old = this.#previews[change.job.id];
			this.#previews[change.job.id] = {
				url: URL.createObjectURL(change.preview.blob),
				nodeId: change.preview.nodeId,
				at: Date.now()
			};
			// The previous preview is replaced: free its memory (a 30 s stream would otherwise pile up blobs).
			if (old) URL.revokeObjectURL(old.url);
		}
		const { status } = change.job;
		// The socket named a file (`executed`): its bytes are fetched now, not after the REST confirmation (the
		// keeper fetches whatever is still missing then).
		if (change.job.outputs.length && !isTerminal(status)) {
			this.#fresh.follow(change.job, (output) => viewOf(client, output));
			this.#keepEarly(client, change.job);
		}
		if (isTerminal(status)) {
			this.#dropPreview(change.job.id);
			// Its last job ended while its server's check fails: nothing more to follow (the keeper's REST calls need
			// no open client).
			if (this.#offline.has(serverId)) queueMicrotask(() => this.#closeIfIdle(serverId));
			if (status === 'succeeded') void this.#keep(serverId, client, change.job.id, change.job.outputs);
			else {
				this.#fresh.drop(change.job.id);
				this.#keptEarly.delete(change.job.id);
				this.announce([change.job.id]);
			}
		}
	}

	#dropPreview(id: string) {
		const old = this.#previews[id];
		if (old) URL.revokeObjectURL(old.url);
		delete this.#previews[id];
	}

	/** After a reload: successes whose images were never fetched (the tab closed right after) get them now. */
	async #keepMissing(serverId: string, client: ComfyClient) {
		const db = await this.#db;
		for (const job of await listJobsOfServer(db, serverId)) {
			const kept = job.app.images ?? [];
			const missing =
				job.status === 'succeeded' && (kept.length < job.outputs.length || kept.some((i) => !i.hash));
			if (missing) await this.#keep(serverId, client, job.id);
		}
	}

	/** Keeps the files a running job named so far, once their bytes are in (after any earlier pass). */
	#keepEarly(client: ComfyClient, job: JobRecord) {
		const { id, outputs } = job;
		const before = this.#keptEarly.get(id);
		// Progress messages repeat the outputs named so far: only a newly named file starts a pass.
		if (before && before.named >= outputs.length) return;
		const pass = (before?.pass ?? Promise.resolve(undefined)).then(async () =>
			keepNamedOutputs({
				db: await this.#db,
				id,
				outputs,
				bytes: (output) => this.#fresh.bytes(id, output, (o) => viewOf(client, o)),
				report: (message) => this.#report(message)
			})
		);
		this.#keptEarly.set(id, { named: outputs.length, pass });
	}

	/** Fetches a finished job's files from `/view` (or takes their fresh bytes) and keeps them (`keepRun`). */
	async #keep(serverId: string, client: ComfyClient, id: string, live: readonly JobImage[] = []) {
		if (this.#keeping.has(id)) return;
		this.#keeping.add(id);
		try {
			// Files kept while it ran are in first: the end then writes only what is left.
			const known = await this.#keptEarly.get(id)?.pass;
			this.#keptEarly.delete(id);
			const kept = await keepRun({
				db: await this.#db,
				id,
				serverId,
				live,
				known,
				bytes: (output) => this.#fresh.bytes(id, output, (o) => viewOf(client, o)),
				report: (message) => this.#report(message),
				cacheBytes: this.#cacheBytes()
			});
			if (!kept) return;
			this.announce([id]);
			this.#onKept?.(id);
		} catch (error) {
			this.#report(`Could not keep the results of ${id}: ${errorMessage(error)}`);
		} finally {
			this.#keeping.delete(id);
			this.#fresh.drop(id);
		}
	}

	#report(message: string) {
		this.#keepError = message;
		this.#logger.warn('history', message);
	}
}

function viewOf(client: ComfyClient, output: JobImage): Promise<Blob> {
	return client.api.view({ filename: output.filename, subfolder: output.subfolder, type: output.type });
}
