import { describe, expect, it } from 'vitest';
import {
	appendSample,
	chartXRange,
	CLOCK_AXIS_STEPS,
	downsample,
	HOUR_MS,
	lastDays,
	median,
	percentile,
	summarizeGenerations,
	toColumns,
	windowSamples,
	type GenerationRecord
} from './time-series';
import { formatClockTime } from './units';

const at = (t: number, vramUsed?: number) => ({ t, ...(vramUsed === undefined ? {} : { vramUsed }) });

describe('windowSamples', () => {
	it('keeps the last hour, oldest first, and drops samples from the future', () => {
		const now = 10 * HOUR_MS;
		const samples = [at(now), at(now - HOUR_MS - 1), at(now - HOUR_MS), at(now - 1000), at(now + 5000)];
		expect(windowSamples(samples, { now, windowMs: HOUR_MS }).map((s) => s.t)).toEqual([
			now - HOUR_MS,
			now - 1000,
			now
		]);
	});
});

describe('appendSample', () => {
	it('appends and drops what left the window', () => {
		const list = [at(0), at(1000), at(2000)];
		expect(appendSample(list, at(3500), { windowMs: 2000 }).map((s) => s.t)).toEqual([2000, 3500]);
	});

	it('replaces a sample with the same time and keeps order for a late one', () => {
		const list = [at(1000, 1), at(3000, 3)];
		expect(appendSample(list, at(1000, 9), { windowMs: HOUR_MS })).toEqual([at(1000, 9), at(3000, 3)]);
		expect(appendSample(list, at(2000, 2), { windowMs: HOUR_MS }).map((s) => s.t)).toEqual([
			1000, 2000, 3000
		]);
	});
});

describe('downsample', () => {
	it('leaves short series alone', () => {
		const list = [at(1, 1), at(2, 2)];
		expect(downsample(list, { maxPoints: 10 })).toEqual(list);
	});

	it('caps the points and keeps each bucket’s peak so a spike stays visible', () => {
		// An hour at one sample per 3 s is 1200 points; a 300 px chart needs no more than 300.
		const list = Array.from({ length: 1200 }, (_, i) => at(i * 3000, i === 601 ? 20 : 4));
		const out = downsample(list, { maxPoints: 300 });
		expect(out).toHaveLength(300);
		expect(out.map((s) => s.vramUsed)).toContain(20);
		expect(out.filter((s) => s.vramUsed === 20)).toHaveLength(1);
		expect(out[out.length - 1]?.t).toBe(1199 * 3000);
	});

	it('keeps a field missing when the whole bucket lacks it', () => {
		const out = downsample([at(1), at(2), at(3, 5), at(4, 6)], { maxPoints: 2 });
		expect(out).toEqual([at(2), at(4, 6)]);
	});
});

describe('toColumns', () => {
	it('gives uPlot seconds on x and null where a value is unknown', () => {
		const cols = toColumns([at(1000, 2), at(4000)], { series: [(s) => s.vramUsed] });
		expect(cols).toEqual([
			[1, 4],
			[2, null]
		]);
	});

	it('breaks the line where sampling paused (hidden tab) instead of bridging the gap', () => {
		const cols = toColumns([at(0, 1), at(3000, 1), at(60_000, 1)], {
			series: [(s) => s.vramUsed],
			gapMs: 9000
		});
		expect(cols[1]).toEqual([1, 1, null, 1]);
		expect(cols[0]).toEqual([0, 3, 3.001, 60]);
	});
});

describe('chartXRange', () => {
	it('ends at the newest sample and spans at least the minimum, even for one sample', () => {
		expect(chartXRange([1000], { minSpan: 300, now: 5000 })).toEqual([700, 1000]);
		expect(chartXRange([100, 1000], { minSpan: 300, now: 5000 })).toEqual([100, 1000]);
		expect(chartXRange([], { minSpan: 300, now: 5000 })).toEqual([4700, 5000]);
	});
});

describe('CLOCK_AXIS_STEPS', () => {
	it('never labels two ticks of the time axis with the same clock time', () => {
		const start = new Date(2026, 11, 7, 20, 40).getTime() / 1000;
		for (const step of CLOCK_AXIS_STEPS) {
			const labels = Array.from({ length: 12 }, (_, i) => formatClockTime((start + i * step) * 1000));
			expect(new Set(labels).size, `a tick every ${step} s`).toBe(labels.length);
		}
	});
});

describe('percentile and median', () => {
	it('interpolates between ranks like numpy', () => {
		const values = Array.from({ length: 100 }, (_, i) => i + 1);
		expect(median(values)).toBe(50.5);
		expect(percentile(values, 95)).toBeCloseTo(95.05, 5);
		expect(median([3, 1, 2])).toBe(2);
		expect(percentile([7], 95)).toBe(7);
		expect(median([])).toBeUndefined();
	});
});

describe('summarizeGenerations', () => {
	const now = new Date(2026, 10, 24, 15, 0).getTime();
	const day = (daysAgo: number, hour = 12) => new Date(2026, 10, 24 - daysAgo, hour).getTime();
	const rec = (
		createdAt: number,
		outcome: GenerationRecord['outcome'],
		templateKey = 'a',
		executionMs?: number
	): GenerationRecord => ({
		createdAt,
		outcome,
		templateKey,
		...(executionMs === undefined ? {} : { executionMs })
	});

	it('counts per local day, oldest first, with empty days present', () => {
		const summary = summarizeGenerations(
			[
				rec(day(0, 1), 'completed'),
				rec(day(0, 14), 'failed'),
				rec(day(2), 'completed'),
				rec(day(9), 'completed')
			],
			{ now, days: 3 }
		);
		expect(summary.perDay).toEqual([
			{ day: new Date(2026, 10, 22).getTime(), completed: 1, failed: 0 },
			{ day: new Date(2026, 10, 23).getTime(), completed: 0, failed: 0 },
			{ day: new Date(2026, 10, 24).getTime(), completed: 1, failed: 1 }
		]);
		expect(summary.completed).toBe(2);
		expect(summary.failed).toBe(1);
		expect(summary.failureRate).toBeCloseTo(1 / 3);
	});

	it('gives median and p95 execution time per template, busiest first, from completed runs only', () => {
		const records = [
			...[1000, 2000, 3000, 4000, 100_000].map((ms) => rec(day(0), 'completed', 'portrait', ms)),
			rec(day(0), 'completed', 'upscale', 500),
			rec(day(0), 'failed', 'upscale', 99_999),
			rec(day(0), 'completed', 'upscale')
		];
		const { perTemplate } = summarizeGenerations(records, { now, days: 7 });
		expect(perTemplate.map((t) => t.templateKey)).toEqual(['portrait', 'upscale']);
		expect(perTemplate[0]).toMatchObject({ count: 5, medianMs: 3000 });
		expect(perTemplate[0]?.p95Ms).toBeCloseTo(80_800);
		expect(perTemplate[1]).toMatchObject({ count: 1, medianMs: 500, p95Ms: 500 });
	});

	it('ignores pending and running jobs and has no failure rate when nothing finished', () => {
		const summary = summarizeGenerations([rec(day(0), 'other')], { now, days: 7 });
		expect(summary.failureRate).toBeUndefined();
		expect(summary.perDay.every((d) => d.completed === 0 && d.failed === 0)).toBe(true);
	});
});

describe('lastDays', () => {
	it('steps by calendar day', () => {
		const days = lastDays({ now: new Date(2026, 2, 30, 10).getTime(), days: 3 });
		expect(days.map((d) => new Date(d).getDate())).toEqual([28, 29, 30]);
		expect(days.every((d) => new Date(d).getHours() === 0)).toBe(true);
	});
});
