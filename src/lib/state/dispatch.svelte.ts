import {
	addItems,
	changePriority,
	emptyQueue,
	isInFlight,
	moveItem,
	moveToFront,
	pauseAll,
	pauseItems,
	removeItems,
	resumeAll,
	resumeItems,
	summarizeQueue,
	type QueueEntry,
	type QueueJobApp,
	type QueueResult,
	type QueueState,
	type QueueSummary,
	type ServerTarget
} from '$lib/comfy/batch/queue';
import type { Clock, Dispatcher, DispatchServer, SubmitRequest } from '$lib/comfy/batch';
import type { ObjectInfo } from '$lib/comfy/workflow/object-info';
import type { ApiWorkflow } from '$lib/comfy/workflow/types';
import type { DeckDb } from '$lib/storage/db';
import type { StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import { DEFAULT_DISPATCH_SETTINGS, type DispatchSettings } from './dispatch-settings';

type Engine = typeof import('./dispatch-engine');

export { DEFAULT_DISPATCH_SETTINGS, dispatchSettingsOf, type DispatchSettings } from './dispatch-settings';

/** One item for `enqueue`: a ready API prompt, where it may run, and what its job record keeps. */
export interface DispatchItem {
	/** Unique in the queue (a UUID). */
	id: string;
	workflow: ApiWorkflow;
	/** A short text for lists ("CFG 5.5 · Seed 101"). */
	label?: string;
	/** The batch or grid it belongs to, and its key there. */
	group?: { id: string; key: string };
	/** One server (waits while it is away: "queue until it is back") or any that can run it. */
	target: ServerTarget;
	/** Higher goes first (default 0). */
	priority?: number;
	/** Template, form values, labels: the History record of its run. */
	app: QueueJobApp;
	/** ComfyUI's `extra_data` (the UI graph for the PNG). */
	extraData?: Record<string, unknown>;
}

/** A server as the dispatch state hands it to the dispatcher, with the address its job records name. */
export interface DispatchSource extends DispatchServer {
	baseUrl: string;
}

/** Where the dispatcher finds servers (given to the constructor or to `start`). */
export interface DispatchSources {
	/** Every server in Settings now (the app: `createAppDispatchServers`; tests: simulators). */
	servers: () => DispatchSource[];
	/** Any server's object_info, to tell which inputs name model files. */
	objectInfo?: () => ObjectInfo | undefined;
}

export interface DispatchStateOptions extends Partial<DispatchSources> {
	db: Promise<DeckDb>;
	settings?: DispatchSettings;
	clock?: Clock;
	/** Told after a job record was written before its POST (History reloads). */
	onJobStored?: () => void;
}

/**
 * The browser's own queue for the whole app: batch and grid items wait here (stored in IndexedDB on every change,
 * so a reload or a browser restart resumes them) and go out to servers just in time through the core's
 * dispatcher. Each item released becomes an ordinary job, recorded with its template and form values before its
 * POST, so it lands in History like a run from the form. `start()` restores the stored queue.
 */
export class DispatchState {
	#queue = $state.raw<QueueState>(emptyQueue());
	#reasons = $state.raw<ReadonlyMap<string, string>>(new Map());
	#started = $state(false);
	#loadError = $state<string | null>(null);
	#saveError = $state<string | null>(null);

	#options: DispatchStateOptions;
	#settings: DispatchSettings;
	#dispatcher: Dispatcher | undefined;
	#engine: Engine | undefined;
	#sources: DispatchSources = { servers: () => [] };
	#starting: Promise<void> | undefined;
	// Operations asked for before the stored queue was read: applied over it once it is.
	#early: ((state: QueueState) => QueueState | QueueResult)[] = [];
	#baseUrls = new Map<string, string>();
	#dirty = false;
	#jobs: StoredJob[] = [];
	#waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
	#writing: Promise<void> | undefined;
	#closed = false;

	constructor(options: DispatchStateOptions) {
		this.#options = options;
		this.#settings = options.settings ?? DEFAULT_DISPATCH_SETTINGS;
		if (options.servers) this.#sources = { servers: options.servers, objectInfo: options.objectInfo };
	}

	/** Every item, in the queue's order (pending ones in release order). */
	get entries(): readonly QueueEntry[] {
		return this.#queue.entries;
	}

	/** Why each waiting or in-flight item is where it is (item id → a sentence). */
	get reasons(): ReadonlyMap<string, string> {
		return this.#reasons;
	}

	/** True while the whole queue is held (new items arrive paused). */
	get paused(): boolean {
		return this.#queue.paused;
	}

	/** True once the stored queue was read and dispatching began. */
	get started(): boolean {
		return this.#started;
	}

	/** Why the stored queue could not be read (it was set aside, untouched), or null. */
	get loadError(): string | null {
		return this.#loadError;
	}

	/** Why the queue could not be saved just now, or null. */
	get saveError(): string | null {
		return this.#saveError;
	}

	get settings(): DispatchSettings {
		return this.#settings;
	}

	/** Counts by status of every item, or of one batch or grid. */
	summary({ groupId }: { groupId?: string } = {}): QueueSummary {
		return summarizeQueue(this.#queue, { groupId });
	}

	/** One item, with `serverId`/`promptId` once released (its job: `app.jobs.byId[promptId]`). */
	entryOf(itemId: string): QueueEntry | undefined {
		return this.#queue.entries.find((e) => e.id === itemId);
	}

	/**
	 * Reads the stored queue (a broken one is set aside and reported) and starts dispatching; safe to call again.
	 * @param sources the servers, when the constructor was not given them.
	 */
	start(sources?: DispatchSources): Promise<void> {
		if (sources) this.#sources = sources;
		this.#starting ??= this.#start();
		return this.#starting;
	}

	async #start(): Promise<void> {
		if (this.#closed) return;
		let initial = emptyQueue();
		let engine: Engine;
		try {
			engine = await import('./dispatch-engine');
		} catch (error) {
			// A chunk that does not load (an update replaced the build): the queue stays in this tab for now.
			this.#loadError = `The queue could not start: ${errorMessage(error)}. Reload the page.`;
			return;
		}
		this.#engine = engine;
		try {
			const db = await this.#options.db;
			const stored = await engine.loadBrowserQueue(db);
			if (stored.ok) initial = stored.state ?? initial;
			else {
				this.#loadError = stored.message;
				await engine.setAsideBrowserQueue(db);
			}
		} catch (error) {
			this.#loadError = `The saved queue could not be read: ${errorMessage(error)}`;
		}
		if (this.#closed) return;
		for (const operation of this.#early) initial = resultOf(operation(initial)).state;
		this.#early = [];
		this.#queue = initial;
		this.#dispatcher = engine.createDispatcher({
			servers: () => this.#servers(),
			initial,
			objectInfo: () => this.#sources.objectInfo?.(),
			...this.#settings,
			clock: this.#options.clock,
			submit: (request) => this.#submit(request),
			onChange: (state, reasons) => {
				this.#queue = state;
				this.#reasons = reasons;
				this.#saveSoon();
			}
		});
		this.#started = true;
		this.#saveSoon();
	}

	/** Queues items (paused when the whole queue is); returns why some were refused (empty when none was). */
	enqueue({ items }: { items: DispatchItem[] }): string[] {
		const now = Date.now();
		return this.#apply((s) =>
			addItems(s, {
				now,
				items: items.map((item) => ({
					id: item.id,
					workflow: item.workflow,
					target: item.target,
					app: item.app,
					...(item.label !== undefined ? { label: item.label } : {}),
					...(item.group ? { group: item.group } : {}),
					...(item.priority !== undefined ? { priority: item.priority } : {}),
					...(item.extraData ? { extraData: item.extraData } : {})
				}))
			})
		);
	}

	pauseAll(): void {
		this.#apply(pauseAll);
	}

	resumeAll(): void {
		this.#apply(resumeAll);
	}

	pause({ ids }: { ids: string[] }): string[] {
		return this.#apply((s) => pauseItems(s, { ids }));
	}

	resume({ ids }: { ids: string[] }): string[] {
		return this.#apply((s) => resumeItems(s, { ids }));
	}

	/** Moves a waiting item to `index` among the waiting ones (0: released next). */
	move({ id, index }: { id: string; index: number }): string[] {
		return this.#apply((s) => moveItem(s, { id, index }));
	}

	moveToFront({ id }: { id: string }): string[] {
		return this.#apply((s) => moveToFront(s, { id }));
	}

	changePriority({ id, priority }: { id: string; priority: number }): string[] {
		return this.#apply((s) => changePriority(s, { id, priority }));
	}

	/** Removes items still in the browser, or finished; items on a server are refused (cancel them there). */
	remove({ ids }: { ids: string[] }): string[] {
		return this.#apply((s) => removeItems(s, { ids }));
	}

	/** New limits from Settings; items already sent stay where they are. */
	configure(settings: Partial<DispatchSettings>): void {
		this.#settings = { ...this.#settings, ...settings };
		this.#dispatcher?.configure(settings);
	}

	/** Something outside changed (servers, their health): look again. */
	refresh(): void {
		this.#dispatcher?.refresh();
	}

	/** Whether a server can take items now, and if not why (for "queue until it is back"). */
	availability({ serverId }: { serverId: string }): { online: true } | { online: false; message: string } {
		const server = this.#sources.servers().find((s) => s.id === serverId);
		if (!server) return { online: false, message: 'This server is not in Settings any more.' };
		const health = server.snapshot().health;
		if (health?.socket === 'open') return { online: true };
		return {
			online: false,
			message: `${server.name} is ${health ? 'not reachable now' : 'not checked yet'}: items for it wait in the browser queue until it is back.`
		};
	}

	/** Resolves once every queued item was stored. */
	async flush(): Promise<void> {
		while (this.#writing) await this.#writing;
	}

	/** Resolves when nothing is waiting or on a server (paused items aside). */
	idle(): Promise<void> {
		return this.#dispatcher?.idle() ?? Promise.resolve();
	}

	/** Stops dispatching (items stay stored). */
	close(): void {
		this.#closed = true;
		this.#dispatcher?.close();
	}

	#apply(operation: (state: QueueState) => QueueState | QueueResult): string[] {
		if (this.#dispatcher) return this.#dispatcher.apply(operation);
		this.#early.push(operation);
		const result = resultOf(operation(this.#queue));
		this.#queue = result.state;
		return result.refused;
	}

	#servers(): DispatchServer[] {
		const servers = this.#sources.servers();
		for (const s of servers) this.#baseUrls.set(s.id, s.baseUrl);
		return servers;
	}

	/** The job record first (with the queue saying "released", in one write), then the POST. */
	async #submit({ server, entry, promptId }: SubmitRequest): Promise<unknown> {
		const { metadataOf } = this.#engine!;
		const created = Date.now();
		const job: StoredJob = {
			id: promptId,
			serverUrl: this.#baseUrls.get(server.id) ?? '',
			workflow: entry.workflow,
			...(entry.extraData ? { extraData: entry.extraData } : {}),
			status: 'pending',
			outputs: [],
			timings: { created },
			attempts: 0,
			serverId: server.id,
			createdAt: created,
			metadata: metadataOf(entry),
			app: { ...entry.app }
		};
		await this.#save(job);
		this.#options.onJobStored?.();
		return server.jobs.submit({
			id: promptId,
			workflow: entry.workflow,
			extraData: entry.extraData,
			metadata: metadataOf(entry)
		});
	}

	/**
	 * Stores the queue. Writes are coalesced (one at a time, the newest state each time); job records ride along
	 * with the next write, and the promise settles once the write that carried them is done.
	 */
	#save(job?: StoredJob): Promise<void> {
		this.#dirty = true;
		if (job) this.#jobs.push(job);
		const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
		this.#writing ??= this.#writeLoop();
		return done;
	}

	/** A save nobody waits for (its failure shows in `saveError`). */
	#saveSoon(): void {
		this.#save().catch(() => {});
	}

	async #writeLoop(): Promise<void> {
		let db: DeckDb | undefined;
		try {
			db = await this.#options.db;
		} catch {
			// No IndexedDB (refused in this browser): the settings banner says so; the queue lives in this tab.
		}
		while (this.#dirty) {
			this.#dirty = false;
			const jobs = this.#jobs.splice(0);
			const waiters = this.#waiters.splice(0);
			try {
				if (!db) throw new Error('this browser refused IndexedDB');
				await this.#engine!.saveBrowserQueue(db, { state: this.#queue, jobs });
				this.#saveError = null;
				for (const w of waiters) w.resolve();
			} catch (error) {
				this.#saveError = `The queue could not be saved: ${errorMessage(error)}. It goes on in this tab; a reload would lose what changed since.`;
				for (const w of waiters) w.reject(error);
			}
		}
		this.#writing = undefined;
	}
}

function resultOf(result: QueueState | QueueResult): QueueResult {
	return 'refused' in result ? result : { state: result, refused: [] };
}

/** Items that have not ended (waiting, paused, or on a server). */
export function activeEntries(entries: readonly QueueEntry[]): QueueEntry[] {
	return entries.filter((e) => e.status === 'waiting' || e.status === 'paused' || isInFlight(e));
}
