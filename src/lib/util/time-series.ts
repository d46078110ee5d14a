// Pure data handling behind the dashboard charts: windowing, downsampling, chart columns, percentiles and
// per-day counts. No DOM, no Svelte: tested in Node.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Anything with a time stamp in epoch milliseconds. */
export interface Timed {
	t: number;
}

/**
 * The samples of the last `windowMs` before `now` (inclusive), oldest first. Samples from the future (a clock
 * that moved back) are dropped too, so a chart never draws beyond its right edge.
 */
export function windowSamples<T extends Timed>(
	samples: readonly T[],
	o: { now: number; windowMs: number }
): T[] {
	const from = o.now - o.windowMs;
	return samples.filter((s) => s.t >= from && s.t <= o.now).sort((a, b) => a.t - b.t);
}

/**
 * Adds `sample` to a time-ordered list and drops what fell out of the window; returns a new array. A sample
 * with the time of an existing one replaces it (the store keys samples by time too).
 */
export function appendSample<T extends Timed>(
	samples: readonly T[],
	sample: T,
	o: { windowMs: number }
): T[] {
	const from = sample.t - o.windowMs;
	const kept = samples.filter((s) => s.t >= from && s.t !== sample.t);
	const last = kept[kept.length - 1];
	if (!last || last.t < sample.t) return [...kept, sample];
	return [...kept, sample].sort((a, b) => a.t - b.t);
}

/**
 * At most `maxPoints` samples: consecutive samples are merged into buckets whose numeric fields take the
 * bucket's maximum, so a short VRAM spike stays visible in an hour-long chart. The time of a bucket is its last
 * sample's. Fields missing in every sample of a bucket stay missing (a gap).
 */
export function downsample<T extends Timed>(samples: readonly T[], o: { maxPoints: number }): T[] {
	const max = Math.max(1, Math.floor(o.maxPoints));
	if (samples.length <= max) return [...samples];
	const size = Math.ceil(samples.length / max);
	const out: T[] = [];
	for (let i = 0; i < samples.length; i += size) {
		const bucket = samples.slice(i, i + size);
		const merged: Record<string, unknown> = { ...bucket[bucket.length - 1] };
		for (const key of Object.keys(merged)) {
			if (key === 't') continue;
			let best: number | undefined;
			for (const s of bucket) {
				const value = (s as Record<string, unknown>)[key];
				if (typeof value === 'number' && Number.isFinite(value))
					best = best === undefined ? value : Math.max(best, value);
			}
			if (best !== undefined) merged[key] = best;
		}
		out.push(merged as T);
	}
	return out;
}

/** uPlot's data layout: x values in seconds, then one array per series with `null` for gaps. */
export type ChartColumns = [number[], ...(number | null)[][]];

/**
 * Turns samples into chart columns. `series` picks each plotted value. Where two samples are more than
 * `gapMs` apart (the tab was hidden, the server was down) a null point is inserted so the line breaks instead
 * of drawing a straight line through time nobody measured.
 */
export function toColumns<T extends Timed>(
	samples: readonly T[],
	o: { series: ((sample: T) => number | undefined)[]; gapMs?: number }
): ChartColumns {
	const xs: number[] = [];
	const ys: (number | null)[][] = o.series.map(() => []);
	let previous: number | undefined;
	for (const sample of samples) {
		if (o.gapMs !== undefined && previous !== undefined && sample.t - previous > o.gapMs) {
			xs.push((previous + 1) / 1000);
			for (const column of ys) column.push(null);
		}
		xs.push(sample.t / 1000);
		o.series.forEach((pick, i) => {
			const value = pick(sample);
			ys[i]?.push(value === undefined || !Number.isFinite(value) ? null : value);
		});
		previous = sample.t;
	}
	return [xs, ...ys];
}

/**
 * The x range of a live chart: ends at the newest sample and spans at least `minSpan` seconds, so the first
 * few samples sit at the right edge instead of stretching over the whole width. Empty data ends at `now`.
 */
export function chartXRange(xs: ArrayLike<number>, o: { minSpan: number; now: number }): [number, number] {
	const hi = xs[xs.length - 1] ?? o.now;
	return [Math.min(xs[0] ?? hi, hi - o.minSpan), hi];
}

/**
 * The tick steps of a live chart's time axis, in seconds: whole minutes only. Its labels read hours and minutes
 * (`formatClockTime`), and uPlot's own steps go down to seconds, which labelled two ticks of one minute alike
 * ("08:40 PM, 08:40 PM") on a wide chart.
 */
export const CLOCK_AXIS_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200];

/** The `p`-th percentile (0–100) with linear interpolation between ranks; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (!sorted.length) return undefined;
	const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
	const low = Math.floor(rank);
	const high = Math.ceil(rank);
	const a = sorted[low] as number;
	const b = sorted[high] as number;
	return a + (b - a) * (rank - low);
}

/** The median; undefined for no values. */
export function median(values: readonly number[]): number | undefined {
	return percentile(values, 50);
}

/** Local midnight of the day `t` falls in. */
export function startOfDay(t: number): number {
	const d = new Date(t);
	return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The local midnights of the last `days` days up to and including `now`'s, oldest first. */
export function lastDays(o: { now: number; days: number }): number[] {
	const today = new Date(startOfDay(o.now));
	const out: number[] = [];
	// Stepping by calendar date, not by 24 h, keeps days right across daylight-saving changes.
	for (let i = o.days - 1; i >= 0; i--) {
		out.push(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i).getTime());
	}
	return out;
}

/** One finished or failed generation, as the statistics count it. */
export interface GenerationRecord {
	createdAt: number;
	outcome: 'completed' | 'failed' | 'other';
	/** What the per-template statistics group by (a template id, or a stand-in for none). */
	templateKey: string;
	/** How long the server spent executing it, when known. */
	executionMs?: number;
}

export interface DayCount {
	/** Local midnight. */
	day: number;
	completed: number;
	failed: number;
}

export interface TemplateTiming {
	templateKey: string;
	count: number;
	medianMs: number;
	p95Ms: number;
}

export interface GenerationSummary {
	perDay: DayCount[];
	perTemplate: TemplateTiming[];
	completed: number;
	failed: number;
	/** failed / (completed + failed), 0–1; undefined when nothing finished. */
	failureRate?: number;
}

/**
 * Generation statistics over the last `days` days: counts per local day, median and p95 execution time per
 * template (templates with a known time only, busiest first), and the failure rate. Pending and running jobs
 * (`other`) are not counted.
 */
export function summarizeGenerations(
	records: readonly GenerationRecord[],
	o: { now: number; days: number }
): GenerationSummary {
	const days = lastDays(o);
	const first = days[0] ?? startOfDay(o.now);
	const perDay = new Map<number, DayCount>(days.map((day) => [day, { day, completed: 0, failed: 0 }]));
	const durations = new Map<string, number[]>();
	let completed = 0;
	let failed = 0;
	for (const record of records) {
		if (record.outcome === 'other' || record.createdAt < first || record.createdAt > o.now) continue;
		const bucket = perDay.get(startOfDay(record.createdAt));
		if (!bucket) continue;
		bucket[record.outcome]++;
		if (record.outcome === 'completed') completed++;
		else failed++;
		if (record.outcome === 'completed' && record.executionMs !== undefined && record.executionMs >= 0) {
			const list = durations.get(record.templateKey) ?? [];
			list.push(record.executionMs);
			durations.set(record.templateKey, list);
		}
	}
	const perTemplate: TemplateTiming[] = [...durations].map(([templateKey, list]) => ({
		templateKey,
		count: list.length,
		medianMs: median(list) ?? 0,
		p95Ms: percentile(list, 95) ?? 0
	}));
	perTemplate.sort((a, b) => b.count - a.count || a.templateKey.localeCompare(b.templateKey));
	const finished = completed + failed;
	return {
		perDay: [...perDay.values()],
		perTemplate,
		completed,
		failed,
		...(finished ? { failureRate: failed / finished } : {})
	};
}
