import { describe, expect, it } from 'vitest';
import {
	bytesToGiB,
	formatBytes,
	formatClockTime,
	formatGiB,
	formatDuration,
	formatPercent,
	parseCacheLimit,
	percent
} from './units';

describe('bytesToGiB', () => {
	it('converts the bytes ComfyUI reports into the GiB the charts plot', () => {
		// The RAM of the recorded ComfyUI 0.8 (tests/fixtures/comfyui/transcripts/a_connect.json).
		expect(bytesToGiB(25276510208)).toBeCloseTo(23.54, 2);
		expect(bytesToGiB(8 * 1024 ** 3)).toBe(8);
	});

	it('keeps an unknown value unknown so the chart shows a gap, not a zero', () => {
		expect(bytesToGiB(undefined)).toBeUndefined();
		expect(bytesToGiB(Number.NaN)).toBeUndefined();
	});
});

describe('formatBytes', () => {
	it('picks the unit a person reads', () => {
		expect(formatBytes(25276510208)).toBe('23.5 GiB');
		expect(formatBytes(200 * 1024 ** 3)).toBe('200 GiB');
		expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
		expect(formatBytes(1536)).toBe('1.5 KiB');
		expect(formatBytes(800)).toBe('800 B');
		expect(formatBytes(undefined)).toBe('–');
	});
});

describe('formatGiB', () => {
	it('labels chart values without a bare 0.x and with a plain zero', () => {
		expect(formatGiB(0)).toBe('0');
		expect(formatGiB(0.5)).toBe('512 MiB');
		expect(formatGiB(3.54)).toBe('3.5 GiB');
		expect(formatGiB(23.54)).toBe('24 GiB');
	});
});

describe('percent', () => {
	it('is the share of the total, clamped to 0–100', () => {
		// RAM in use on the recorded server: total minus free.
		expect(percent(25276510208 - 24475062272, 25276510208)).toBeCloseTo(3.17, 2);
		expect(percent(3, 4)).toBe(75);
		expect(percent(5, 4)).toBe(100);
	});

	it('is unknown without a total (a device that reports no VRAM)', () => {
		expect(percent(1, 0)).toBeUndefined();
		expect(percent(1, undefined)).toBeUndefined();
		expect(percent(undefined, 10)).toBeUndefined();
	});

	it('formats small shares with a decimal so they do not read as zero', () => {
		expect(formatPercent(0.42)).toBe('0.4 %');
		expect(formatPercent(0)).toBe('0 %');
		expect(formatPercent(42.6)).toBe('43 %');
		expect(formatPercent(undefined)).toBe('–');
	});
});

describe('formatDuration', () => {
	it('reads naturally from milliseconds to hours', () => {
		expect(formatDuration(850)).toBe('850 ms');
		expect(formatDuration(4200)).toBe('4.2 s');
		expect(formatDuration(125_000)).toBe('2 min 5 s');
		expect(formatDuration(120_000)).toBe('2 min');
		expect(formatDuration(3_780_000)).toBe('1 h 3 min');
		expect(formatDuration(undefined)).toBe('–');
		expect(formatDuration(-5)).toBe('–');
	});
});

describe('parseCacheLimit', () => {
	it('takes whole MB from 0 (no cache) up', () => {
		expect(parseCacheLimit('0')).toEqual({ ok: true, mb: 0 });
		expect(parseCacheLimit(' 250 ')).toEqual({ ok: true, mb: 250 });
	});

	it('refuses empty, negative, fractional, huge and non-numbers, quoting what was typed', () => {
		for (const text of ['', '-5', '1.5', '2000000', 'lots']) {
			const result = parseCacheLimit(text);
			expect(result.ok).toBe(false);
			if (!result.ok) expect(result.message).toContain(`"${text}" is not a size`);
		}
	});
});

describe('formatClockTime', () => {
	it('writes an axis tick and an "Updated" reading alike, the reading with its seconds', () => {
		const at = new Date(2026, 0, 5, 14, 7, 9).getTime();
		const axis = formatClockTime(at);
		const updated = formatClockTime(at, { seconds: true });
		expect(axis).toMatch(/07/);
		expect(axis).not.toMatch(/09/);
		expect(updated).toMatch(/07.09/);
		// The same hour and minute, written the same way: the reading is the tick with seconds added.
		expect(updated.replace(/\D/g, '')).toContain(axis.replace(/\D/g, '').slice(0, 4));
	});
});
