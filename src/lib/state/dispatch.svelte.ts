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
	type QueueResult,
	type QueueState,
	type QueueSummary
} from '$lib/comfy/batch/queue';
import type { Clock, Dispatcher, DispatchServer, SubmitRequest } from '$lib/comfy/batch';
import type { DeckDb } from '$lib/storage/db';
import type { StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import { DEFAULT_DISPATCH_SETTINGS, type DispatchSettings } from './dispatch-settings';
import type { DispatchItem, DispatchSources } from './dispatch-types';

type Engine = typeof import('./dispatch-engine');

/**
 * How often views see the queue change while jobs run (ms): each publish re-renders the Queue view's lists, so a
 * fast server (a release every ~20 ms) would otherwise keep the page laying out and painting on most frames.
 */
const PUBLISH_MS = 250;

export { DEFAULT_DISPATCH_SETTINGS, dispatchSettingsOf, type DispatchSettings } from './dispatch-settings';

export type { DispatchItem, DispatchSource, DispatchSources } from './dispatch-types';

export interface DispatchStateOptions extends Partial<DispatchSources> {
	db: Promise<DeckDb>;
	settings?: DispatchSettings;
	clock?: Clock;
	/** Told after a job record was written before its POST (History reloads), with its prompt id. */
	onJobStored?: (id: string) => void;
}

/**
 * The browser's own queue for the whole app: batch and grid items wait here (stored in IndexedDB on every change,
 * so a reload or a browser restart resumes them) and go out to servers just in time through the core's
 * dispatcher. Each item released becomes an ordinary job, recorded with its template and form values before its
 * POST, so it lands in History like a run from the form. `start()` restores the stored queue.
 */
export class DispatchState {
	// What views react to, published at most every PUBLISH_MS while jobs run (a pass per socket message would
	// re-render the Queue view hundreds of times a second), and at once after an operation the user asked for.
	// Reads always return the newest state: `#queue` is read only to subscribe.
	#queue = $state.raw<QueueState>(emptyQueue());
	#reasons = $state.raw<ReadonlyMap<string, string>>(new Map());
	#now: QueueState = emptyQueue();
	#nowReasons: ReadonlyMap<string, string> = new Map();
	#publishTimer: ReturnType<typeof setTimeout> | undefined;
	#applying = false;
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
	// The queue as last stored (a save writes what changed since); undefined: not known, the next save replaces it.
	#stored: QueueState | undefined;
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
		void this.#queue;
		return this.#now.entries;
	}

	/** Why each waiting or in-flight item is where it is (item id → a sentence). */
	get reasons(): ReadonlyMap<string, string> {
		void this.#reasons;
		return this.#nowReasons;
	}

	/** True while the whole queue is held (new items arrive paused). */
	get paused(): boolean {
		void this.#queue;
		return this.#now.paused;
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
		void this.#queue;
		return summarizeQueue(this.#now, { groupId });
	}

	/** One item, with `serverId`/`promptId` once released (its job: `app.jobs.byId[promptId]`). */
	entryOf(itemId: string): QueueEntry | undefined {
		void this.#queue;
		return this.#now.entries.find((e) => e.id === itemId);
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
			if (stored.ok) {
				initial = stored.state ?? initial;
				if (stored.exact) this.#stored = initial;
				if (stored.unreadable.length) {
					const n = stored.unreadable.length;
					this.#loadError = `${n === 1 ? '1 saved item' : `${n} saved items`} of the queue could not be read and ${n === 1 ? 'was' : 'were'} set aside; the others are back.`;
					await engine.setAsideQueueItems(db, { ids: stored.unreadable });
				}
			} else {
				this.#loadError = stored.message;
				await engine.setAsideBrowserQueue(db);
			}
		} catch (error) {
			this.#loadError = `The saved queue could not be read: ${errorMessage(error)}`;
		}
		if (this.#closed) return;
		for (const operation of this.#early) initial = resultOf(operation(initial)).state;
		this.#early = [];
		this.#now = initial;
		this.#publish();
		this.#dispatcher = engine.createDispatcher({
			servers: () => this.#servers(),
			initial,
			objectInfo: () => this.#sources.objectInfo?.(),
			...this.#settings,
			clock: this.#options.clock,
			submit: (request) => this.#submit(request),
			onChange: (state, reasons) => {
				this.#now = state;
				this.#nowReasons = reasons;
				if (this.#applying) this.#publish();
				else this.#publishTimer ??= setTimeout(() => this.#publish(), PUBLISH_MS);
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
		this.#publish();
	}

	#apply(operation: (state: QueueState) => QueueState | QueueResult): string[] {
		if (this.#dispatcher) {
			this.#applying = true;
			try {
				return this.#dispatcher.apply(operation);
			} finally {
				this.#applying = false;
			}
		}
		this.#early.push(operation);
		const result = resultOf(operation(this.#now));
		this.#now = result.state;
		this.#publish();
		return result.refused;
	}

	#publish(): void {
		if (this.#publishTimer !== undefined) clearTimeout(this.#publishTimer);
		this.#publishTimer = undefined;
		this.#queue = this.#now;
		this.#reasons = this.#nowReasons;
	}

	#servers(): DispatchServer[] {
		const servers = this.#sources.servers();
		for (const s of servers) this.#baseUrls.set(s.id, s.baseUrl);
		return servers;
	}

	/** The job record first (with the queue saying "released", in one write), then the POST. */
	async #submit({ server, entry, promptId }: SubmitRequest): Promise<unknown> {
		const { metadataOf, pendingJobOf } = this.#engine!;
		const job = pendingJobOf({
			entry,
			promptId,
			serverId: server.id,
			serverUrl: this.#baseUrls.get(server.id)
		});
		await this.#save(job);
		this.#options.onJobStored?.(promptId);
		return server.jobs.submit({
			id: promptId,
			workflow: entry.workflow,
			extraData: entry.extraData,
			metadata: metadataOf(entry),
			// Written above with the queue's change: the tracker's first write would repeat it (one of 5 per item).
			stored: true
		});
	}

	/**
	 * Stores the queue. Writes are coalesced (one at a time, the newest state each time, only the items changed
	 * since the last one); job records ride along with the next write, and the promise settles once the write that
	 * carried them is done.
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
				const state = this.#now;
				await this.#engine!.saveBrowserQueue(db, { state, since: this.#stored, jobs });
				this.#stored = state;
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
