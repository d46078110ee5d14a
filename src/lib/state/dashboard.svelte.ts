import { isTerminal } from '$lib/comfy';
import type { DeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { listJobsSinceInChunks, type StoredJob } from '$lib/storage/jobs';
import { templateNames } from '$lib/storage/template-names';
import { DAY_MS, summarizeGenerations, type GenerationSummary } from '$lib/util/time-series';
import {
	generationFromJob,
	jobThumbImage,
	jobOutcome,
	jobTemplateId,
	jobTemplateName,
	NO_TEMPLATE
} from './dashboard-jobs';
import { ServerMemory, type MemoryApp } from './server-memory';

/** What the dashboard needs of the app (the `AppState`, or a stand-in in tests). */
export type DashboardApp = MemoryApp;

/** How many days the generation statistics cover. */
export const STATS_DAYS = 14;
const RECENT_COUNT = 12;
const JOBS_REFRESH_MS = 15_000;
// Every refresh reads the runs that can still change; this often it reads the whole window again.
const FULL_REFRESH_MS = 5 * 60_000;

/**
 * The dashboard's state: live stats of every reachable server (sampled while the page is visible, with the memory
 * charts and free-memory actions the Models view shares), and the recent generations and their statistics from the
 * app's job records.
 */
export class DashboardState extends ServerMemory {
	#jobs = $state.raw<StoredJob[]>([]);
	#jobsLoaded = $state(false);
	#templateNames = $state.raw<Record<string, string>>({});
	#thumbnails = $state.raw<Record<string, string>>({});
	#now = $state(Date.now());
	#fullReadAt = -Infinity;

	/** Job records of the last `STATS_DAYS` days, newest first. */
	get jobs(): StoredJob[] {
		return this.#jobs;
	}

	/** The job records were read at least once (or there is no storage to read). */
	get jobsLoaded(): boolean {
		return this.#jobsLoaded;
	}

	/** Template id → name, for the per-template statistics. */
	get templateNames(): Record<string, string> {
		return this.#templateNames;
	}

	/** When the job records were last read: the statistics' "today". */
	get now(): number {
		return this.#now;
	}

	readonly summary: GenerationSummary = $derived(
		summarizeGenerations(this.#jobs.map(generationFromJob), { now: this.#now, days: STATS_DAYS })
	);
	readonly recent: StoredJob[] = $derived(this.#jobs.slice(0, RECENT_COUNT));

	#app: DashboardApp;
	#db: Promise<DeckDb | null>;
	// Set by start()'s stop: a read of job records under way gives up.
	#stopped = false;

	constructor(o: { app: DashboardApp; db: Promise<DeckDb | null>; intervalMs?: number }) {
		super(o);
		this.#app = o.app;
		this.#db = o.db;
	}

	/** Starts sampling (live checks while open) and reading job records; returns the function that stops both. */
	start(): () => void {
		const stopSampler = this.sampler.start();
		this.#stopped = false;
		void this.refreshJobs();
		const timer = setInterval(() => {
			if (document.visibilityState === 'visible') void this.refreshJobs();
		}, JOBS_REFRESH_MS);
		return () => {
			this.#stopped = true;
			stopSampler();
			clearInterval(timer);
			for (const url of Object.values(this.#thumbnails)) URL.revokeObjectURL(url);
			this.#thumbnails = {};
		};
	}

	/**
	 * Reads the job records of the last days and the template names again: all of them on the first read and every
	 * few minutes (`full`), else only the runs that can still change (see `#changingFrom`).
	 */
	async refreshJobs(options: { full?: boolean } = {}): Promise<void> {
		const db = await this.#db;
		this.#now = Date.now();
		if (!db) {
			this.#jobsLoaded = true;
			return;
		}
		try {
			const since = this.#now - STATS_DAYS * DAY_MS;
			const full = options.full || this.#now - this.#fullReadAt >= FULL_REFRESH_MS;
			const from = full ? since : Math.max(since, this.#changingFrom());
			// In chunks, given up when the dashboard closes: a click to History must not wait for two weeks of runs.
			const [fresh, names] = await Promise.all([
				listJobsSinceInChunks(db, { since: from, chunkSize: 200, keepGoing: () => !this.#stopped }),
				templateNames(db)
			]);
			if (!fresh) return;
			if (full) this.#fullReadAt = this.#now;
			// Newest first: what was read again, then the older runs held, as long as they are in the window.
			this.#jobs = full
				? fresh
				: [...fresh, ...this.#jobs.filter((j) => j.createdAt < from && j.createdAt >= since)];
			this.#templateNames = names;
			await this.#loadThumbnails(db);
		} catch {
			// A database another tab is upgrading: keep what is shown and try again on the next refresh.
		}
		this.#jobsLoaded = true;
	}

	/**
	 * Where a refresh starts reading: the oldest run held that has not ended (its status may change), else the newest
	 * run held (a run started since is newer). Runs before it ended and stay as they are, short of an edit or a delete
	 * elsewhere, which the next full read brings.
	 */
	#changingFrom(): number {
		let from = this.#jobs[0]?.createdAt ?? -Infinity;
		for (const job of this.#jobs) if (!isTerminal(job.status)) from = Math.min(from, job.createdAt);
		return from;
	}

	/** A template's name for the statistics (its name at run time when it was deleted since). */
	templateName(key: string): string {
		if (key === NO_TEMPLATE) return 'Without a template';
		const current = this.#templateNames[key];
		if (current) return current;
		const job = this.#jobs.find((j) => jobTemplateId(j) === key);
		return (job && jobTemplateName(job)) ?? 'Deleted template';
	}

	/** The name of the template a job ran from. */
	jobTemplateName(job: StoredJob): string {
		return this.templateName(jobTemplateId(job) ?? NO_TEMPLATE);
	}

	/** The newest failed job on a server, for its "last error". */
	lastFailedJob(serverId: string): StoredJob | undefined {
		return this.#jobs.find((job) => job.serverId === serverId && jobOutcome(job.status) === 'failed');
	}

	/** A URL to show a job's first image, or undefined when it has none (yet). */
	imageUrl(job: StoredJob): string | undefined {
		const image = jobThumbImage(job);
		if (!image) return undefined;
		if (image.kind === 'stored') return this.#thumbnails[image.hash];
		const server = this.#app.servers.find((s) => s.id === job.serverId);
		if (!server) return undefined;
		return this.#app.apiFor(server).viewUrl({
			filename: image.filename,
			subfolder: image.subfolder,
			type: image.type,
			preview: 'webp;80'
		});
	}

	async #loadThumbnails(db: DeckDb) {
		const wanted = new Set<string>();
		for (const job of this.recent) {
			const image = jobThumbImage(job);
			if (image?.kind === 'stored') wanted.add(image.hash);
		}
		const next: Record<string, string> = {};
		for (const [hash, url] of Object.entries(this.#thumbnails)) {
			if (wanted.has(hash)) next[hash] = url;
			else URL.revokeObjectURL(url);
		}
		for (const hash of wanted) {
			if (next[hash]) continue;
			const image = await getImage(db, hash);
			const blob = image?.thumbnail ?? image?.blob;
			if (blob) next[hash] = URL.createObjectURL(blob);
		}
		this.#thumbnails = next;
	}
}
