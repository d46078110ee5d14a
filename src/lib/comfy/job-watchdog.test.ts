import { describe, expect, it } from 'vitest';
import type { JobRecord } from './job-store';
import { pollIntervalMs, watchdogVerdict, type WatchdogLimits } from './job-watchdog';

const limits: WatchdogLimits = { checkAfterMs: 10_000, pollMs: 2_000, silenceTimeoutMs: 60_000 };
const job = (changes: Partial<JobRecord> = {}): JobRecord => ({
	id: '11111111-1111-4111-8111-111111111111',
	serverUrl: 'http://box:8188/',
	workflow: {},
	status: 'running',
	outputs: [],
	timings: { created: 0 },
	attempts: 1,
	...changes
});
const verdict = (
	options: {
		status?: JobRecord['status'];
		attempts?: number;
		silence: number;
		sinceCheck: number;
		failedChecks?: number;
	},
	socketOpen = true,
	submitting = false
) =>
	watchdogVerdict({
		job: job({ status: options.status ?? 'running', attempts: options.attempts ?? 1 }),
		runtime: {
			submitting,
			lastSignOfLifeAt: 100_000 - options.silence,
			lastServerCheckAt: 100_000 - options.sinceCheck,
			failedChecksInARow: options.failedChecks ?? 0
		},
		now: 100_000,
		socketOpen,
		limits
	});

describe('watchdogVerdict', () => {
	it('times a job out after the silence limit, not before', () => {
		expect(verdict({ silence: 59_999, sinceCheck: 0 })).toBe('wait');
		expect(verdict({ silence: 60_000, sinceCheck: 0 })).toBe('timeout');
	});

	it('checks a job the open socket is silent about, at most once per check interval', () => {
		expect(verdict({ silence: 9_000, sinceCheck: 30_000 })).toBe('wait');
		expect(verdict({ silence: 10_000, sinceCheck: 30_000 })).toBe('check');
		expect(verdict({ silence: 30_000, sinceCheck: 5_000 })).toBe('wait');
	});

	it('polls every poll interval while the socket is down, even about a job heard from a moment ago', () => {
		expect(verdict({ silence: 0, sinceCheck: 2_000 }, false)).toBe('check');
		expect(verdict({ silence: 0, sinceCheck: 1_000 }, false)).toBe('wait');
		expect(verdict({ silence: 0, sinceCheck: 2_000 }, true)).toBe('wait');
	});

	it('polls a server that does not answer less and less often while the socket is down, up to every 30 s', () => {
		expect(verdict({ silence: 0, sinceCheck: 3_999, failedChecks: 1 }, false)).toBe('wait');
		expect(verdict({ silence: 0, sinceCheck: 4_000, failedChecks: 1 }, false)).toBe('check');
		expect(verdict({ silence: 0, sinceCheck: 16_000, failedChecks: 3 }, false)).toBe('check');
		expect(verdict({ silence: 0, sinceCheck: 29_999, failedChecks: 9 }, false)).toBe('wait');
		expect(verdict({ silence: 0, sinceCheck: 30_000, failedChecks: 9 }, false)).toBe('check');
		expect(
			[0, 1, 2, 3, 4, 5, 40].map((n) => pollIntervalMs({ pollMs: 2_000, failedChecksInARow: n }))
		).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
	});

	it('leaves finished jobs, a job being sent and a job never sent alone, however long the silence', () => {
		expect(verdict({ status: 'succeeded', silence: 99_000, sinceCheck: 99_000 })).toBe('wait');
		expect(verdict({ silence: 99_000, sinceCheck: 99_000 }, false, true)).toBe('wait');
		expect(verdict({ status: 'pending', attempts: 0, silence: 99_000, sinceCheck: 99_000 })).toBe('wait');
		expect(verdict({ status: 'pending', attempts: 1, silence: 99_000, sinceCheck: 99_000 })).toBe('timeout');
	});
});
