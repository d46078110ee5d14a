import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '$lib/comfy';
import { formatLogEntry, LogsState, matchesLog } from './logs.svelte';

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));

afterEach(() => vi.restoreAllMocks());

describe('LogsState', () => {
	it('shows the ring buffer newest first and follows new entries', async () => {
		const logger = createLogger({ level: 'debug' });
		logger.info('http', 'GET /api/system_stats ok');
		const logs = new LogsState({ logger });
		const stop = logs.start();
		expect(logs.entries.map((e) => e.message)).toEqual(['GET /api/system_stats ok']);
		logger.warn('socket', 'connection lost (1006); reconnecting in 800 ms');
		await nextFrame();
		expect(logs.entries.map((e) => e.scope)).toEqual(['socket', 'http']);
		stop();
		logger.error('jobs', 'after stop');
		await nextFrame();
		expect(logs.entries).toHaveLength(2);
	});

	it('filters by least level and by text in message, scope or details', () => {
		const logger = createLogger({ level: 'debug' });
		logger.debug('http', 'GET /api/queue ok', { ms: 12 });
		logger.warn('http', 'POST /api/prompt failed: 400');
		logger.error('jobs', 'could not save job 7', 'QuotaExceededError');
		const logs = new LogsState({ logger });
		logs.start()();
		logs.level = 'warn';
		expect(logs.visible.map((e) => e.level)).toEqual(['error', 'warn']);
		logs.query = 'quota';
		expect(logs.visible.map((e) => e.scope)).toEqual(['jobs']);
		logs.level = 'debug';
		logs.query = '"ms":12';
		expect(logs.visible).toHaveLength(1);
		expect(logs.counts).toEqual({ debug: 1, info: 0, warn: 1, error: 1 });
	});

	it('copies the shown entries oldest first, and says when the browser refuses', async () => {
		const logger = createLogger();
		logger.info('jobs', 'job a pending → running');
		logger.info('jobs', 'job a running → completed');
		const logs = new LogsState({ logger });
		logs.start()();
		const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
		await logs.copy();
		const text = write.mock.calls[0]?.[0] ?? '';
		expect(text.split('\n')).toHaveLength(2);
		expect(text.indexOf('pending → running')).toBeLessThan(text.indexOf('running → completed'));
		expect(logs.notice).toEqual({ ok: true, text: 'Copied 2 entries.' });

		write.mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
		await logs.copy();
		expect(logs.notice?.ok).toBe(false);
		expect(logs.notice?.text).toMatch(/Use Download instead/);
	});

	it('clears the buffer', () => {
		const logger = createLogger();
		logger.info('http', 'x');
		const logs = new LogsState({ logger });
		logs.start()();
		logs.clear();
		expect(logs.entries).toEqual([]);
		expect(logger.entries()).toEqual([]);
	});
});

describe('formatLogEntry', () => {
	it('writes one readable line with the level, scope and details', () => {
		const line = formatLogEntry({
			seq: 1,
			time: new Date(2026, 10, 24, 9, 5, 7, 42).getTime(),
			level: 'warn',
			scope: 'http',
			message: 'GET /api/history failed',
			data: new TypeError('Failed to fetch')
		});
		expect(line).toBe(
			'2026-11-24 09:05:07.042 WARN  http   GET /api/history failed TypeError: Failed to fetch'
		);
	});

	it('survives details that cannot be turned into JSON', () => {
		const data: Record<string, unknown> = {};
		data.self = data;
		expect(
			matchesLog(
				{ seq: 1, time: 0, level: 'info', scope: 's', message: 'm', data },
				{ level: 'debug', query: 'object' }
			)
		).toBe(true);
	});
});
