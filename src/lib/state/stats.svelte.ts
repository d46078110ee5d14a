import type { SystemStats } from '$lib/comfy';
import { LIVE_POLL_MS, type CheckOutcome } from './connections.svelte';
import type { DeckDb, StoredStatsSample } from '$lib/storage/db';
import { addStatsSample, listStatsSamples, pruneStatsSamples } from '$lib/storage/stats';
import { bytesToGiB } from '$lib/util/units';
import {
	appendSample,
	downsample,
	HOUR_MS,
	toColumns,
	windowSamples,
	type ChartColumns
} from '$lib/util/time-series';

/** One point of a server's charts (bytes and queue length), as stored. */
export type StatsSample = Omit<StoredStatsSample, 'serverId'>;

/** What one read of a server gives. */
export interface StatsReading {
	stats: SystemStats;
	/** Prompts running or waiting (`/prompt` `queue_remaining`), when it could be read. */
	queue?: number;
}

/** The newest reading of a server and when it was taken. */
export interface LatestStats extends StatsReading {
	at: number;
}

/** A failed read: kept after recovery so the dashboard can show the last error. */
export interface SampleError {
	message: string;
	at: number;
	/** True while reads keep failing. */
	ongoing: boolean;
}

/** Where samples are kept between visits (the `stats` store), or nothing (memory only). */
export interface StatsStore {
	add(sample: StoredStatsSample): Promise<void>;
	list(o: { serverId: string; since: number }): Promise<StatsSample[]>;
	prune(o: { before: number }): Promise<void>;
}

export interface StatsSamplerOptions {
	/** Listens to every check of every server (the shared `system_stats` query); returns the unsubscribe. */
	subscribe: (listener: (serverId: string, outcome: CheckOutcome) => void) => () => void;
	/** A server's queue length as the socket last reported it, when known. */
	queueLength?: (serverId: string) => number | undefined;
	/** Checks one server (or all) now. */
	refresh: (serverId?: string) => Promise<void>;
	/** Asks for live (frequent) checks while sampling; returns the function that gives the request back. */
	live?: () => () => void;
	store?: StatsStore | null;
	/** Time between samples while the page is visible (for the gaps in the charts). */
	intervalMs?: number;
	/** How much history is kept (and loaded from the store). */
	windowMs?: number;
	now?: () => number;
}

export const SAMPLE_INTERVAL_MS = LIVE_POLL_MS;

// Pruning the store is cheap but not free: once a minute is plenty for an hour-long window.
const PRUNE_EVERY_MS = 60_000;

/** The chartable numbers of a reading: VRAM summed over the devices, RAM used = total − free. */
export function sampleFromReading(reading: StatsReading, t: number): StatsSample {
	const { system, devices } = reading.stats;
	const sum = (pick: (d: SystemStats['devices'][number]) => number | undefined) => {
		const values = devices.map(pick).filter((v): v is number => typeof v === 'number');
		return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
	};
	const vramTotal = sum((d) => d.vram_total);
	const vramFree = sum((d) => d.vram_free);
	const sample: StatsSample = { t };
	if (vramTotal !== undefined) sample.vramTotal = vramTotal;
	if (vramTotal !== undefined && vramFree !== undefined) sample.vramUsed = Math.max(0, vramTotal - vramFree);
	if (system.ram_total !== undefined) sample.ramTotal = system.ram_total;
	if (system.ram_total !== undefined && system.ram_free !== undefined)
		sample.ramUsed = Math.max(0, system.ram_total - system.ram_free);
	if (reading.queue !== undefined) sample.queue = reading.queue;
	return sample;
}

/** The three live charts of a server, in chart units (GiB, prompts). */
export interface StatsCharts {
	vram: ChartColumns;
	ram: ChartColumns;
	queue: ChartColumns;
	/** The newest totals in GiB (the charts' y-axis tops); undefined when not reported. */
	vramTotal?: number;
	ramTotal?: number;
}

/**
 * Chart columns from a server's samples: the window before `now`, at most `maxPoints` points (peaks kept),
 * bytes as GiB, and a break in the line wherever sampling paused for more than a few intervals.
 */
export function statsCharts(
	samples: readonly StatsSample[],
	o: { now: number; windowMs: number; intervalMs: number; maxPoints?: number }
): StatsCharts {
	const points = downsample(windowSamples(samples, o), { maxPoints: o.maxPoints ?? 600 });
	const gapMs = Math.max(o.intervalMs * 3, (o.windowMs / (o.maxPoints ?? 600)) * 3);
	const last = points[points.length - 1];
	return {
		vram: toColumns(points, { series: [(s) => bytesToGiB(s.vramUsed)], gapMs }),
		ram: toColumns(points, { series: [(s) => bytesToGiB(s.ramUsed)], gapMs }),
		queue: toColumns(points, { series: [(s) => s.queue], gapMs }),
		...(last?.vramTotal === undefined ? {} : { vramTotal: bytesToGiB(last.vramTotal) }),
		...(last?.ramTotal === undefined ? {} : { ramTotal: bytesToGiB(last.ramTotal) })
	};
}

/** A `StatsStore` on the app's IndexedDB (memory only if the database cannot be opened). */
export function statsStoreFor(db: Promise<DeckDb | null>): StatsStore {
	return {
		add: async (sample) => {
			const d = await db;
			if (d) await addStatsSample(d, sample);
		},
		list: async ({ serverId, since }) => {
			const d = await db;
			if (!d) return [];
			return (await listStatsSamples(d, { serverId, since })).map(({ serverId: _id, ...rest }) => rest);
		},
		prune: async ({ before }) => {
			const d = await db;
			if (d) await pruneStatsSamples(d, { before });
		}
	};
}

/**
 * The charts' samples: every reading of the shared `system_stats` query (checked every few seconds while a live
 * view is open and the page visible, see `ConnectionsState`) becomes a sample. The last hour is kept in memory and
 * in the store. The sampler itself never fetches.
 */
export class StatsSampler {
	#samples = $state.raw<Record<string, StatsSample[]>>({});
	#latest = $state.raw<Record<string, LatestStats>>({});
	#errors = $state.raw<Record<string, SampleError>>({});
	#active = $state(false);

	readonly intervalMs: number;
	readonly windowMs: number;
	#o: StatsSamplerOptions;
	#now: () => number;
	#historyLoaded = new Set<string>();
	#lastPrune = -Infinity;

	constructor(options: StatsSamplerOptions) {
		this.#o = options;
		this.intervalMs = options.intervalMs ?? SAMPLE_INTERVAL_MS;
		this.windowMs = options.windowMs ?? HOUR_MS;
		this.#now = options.now ?? Date.now;
	}

	/** Per server, the samples of the window, oldest first. */
	get samples(): Readonly<Record<string, StatsSample[]>> {
		return this.#samples;
	}

	/** Per server, the newest full reading. */
	get latest(): Readonly<Record<string, LatestStats>> {
		return this.#latest;
	}

	/** Per server, the last failed reading (kept, marked no longer ongoing, once one succeeds again). */
	get errors(): Readonly<Record<string, SampleError>> {
		return this.#errors;
	}

	/** True while sampling (started and the page visible). */
	get active(): boolean {
		return this.#active;
	}

	/** Starts taking samples; returns the function that stops it. */
	start(): () => void {
		const onVisibility = () => (this.#active = document.visibilityState === 'visible');
		document.addEventListener('visibilitychange', onVisibility);
		onVisibility();
		const unsubscribe = this.#o.subscribe((serverId, outcome) => {
			if (outcome.ok) void this.record({ serverId, reading: { stats: outcome.reading.stats } });
			else this.#fail(serverId, outcome.message);
		});
		const release = this.#o.live?.();
		return () => {
			document.removeEventListener('visibilitychange', onVisibility);
			unsubscribe();
			release?.();
			this.#active = false;
		};
	}

	/** Samples one server (or all) now, e.g. right after freeing memory so the chart shows the effect. */
	async sampleNow(serverId?: string): Promise<void> {
		await this.#o.refresh(serverId);
	}

	/** Adds a reading as a sample (and keeps it in the store). */
	async record({ serverId, reading: read }: { serverId: string; reading: StatsReading }): Promise<void> {
		void this.#loadHistory(serverId);
		const queue = read.queue ?? this.#o.queueLength?.(serverId);
		const reading: StatsReading = queue === undefined ? read : { ...read, queue };
		const t = this.#now();
		const sample = sampleFromReading(reading, t);
		this.#latest = { ...this.#latest, [serverId]: { ...reading, at: t } };
		this.#samples = {
			...this.#samples,
			[serverId]: appendSample(this.#samples[serverId] ?? [], sample, { windowMs: this.windowMs })
		};
		const error = this.#errors[serverId];
		if (error?.ongoing) this.#errors = { ...this.#errors, [serverId]: { ...error, ongoing: false } };
		await this.#persist(serverId, sample, t);
	}

	#fail(serverId: string, message: string) {
		const known = this.#errors[serverId];
		// The same failure again (a backed-off retry) keeps its first time: reported once, not per request.
		if (known?.ongoing && known.message === message) return;
		this.#errors = { ...this.#errors, [serverId]: { message, at: this.#now(), ongoing: true } };
	}

	async #persist(serverId: string, sample: StatsSample, t: number) {
		const store = this.#o.store;
		if (!store) return;
		try {
			await store.add({ serverId, ...sample });
			if (t - this.#lastPrune >= PRUNE_EVERY_MS) {
				this.#lastPrune = t;
				await store.prune({ before: t - this.windowMs });
			}
		} catch {
			// Storage full or unavailable: the live chart still works from memory.
		}
	}

	// The first time a server is sampled, the last hour from the store is merged in (earlier visits).
	async #loadHistory(serverId: string) {
		const store = this.#o.store;
		if (!store || this.#historyLoaded.has(serverId)) return;
		this.#historyLoaded.add(serverId);
		try {
			const now = this.#now();
			const stored = await store.list({ serverId, since: now - this.windowMs });
			const byTime = new Map<number, StatsSample>();
			for (const s of [...stored, ...(this.#samples[serverId] ?? [])]) byTime.set(s.t, s);
			this.#samples = {
				...this.#samples,
				[serverId]: windowSamples([...byTime.values()], { now: this.#now(), windowMs: this.windowMs })
			};
		} catch {
			// No history is not an error worth showing: the chart fills from now on.
		}
	}
}
