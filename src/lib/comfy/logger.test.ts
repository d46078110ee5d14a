import { describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger';

describe('createLogger', () => {
	it('keeps only the newest entries, oldest first', () => {
		const logger = createLogger({ capacity: 3, level: 'debug' });
		for (let i = 1; i <= 5; i++) logger.info('test', `line ${i}`);
		expect(logger.entries().map((e) => e.message)).toEqual(['line 3', 'line 4', 'line 5']);
	});

	it('drops entries below its level, and the level can change', () => {
		const logger = createLogger({ level: 'warn' });
		logger.debug('t', 'debug');
		logger.info('t', 'info');
		logger.warn('t', 'warn');
		logger.setLevel('debug');
		logger.debug('t', 'debug again');
		expect(logger.entries().map((e) => e.message)).toEqual(['warn', 'debug again']);
	});

	it('tells subscribers about new entries until they unsubscribe, and survives a throwing listener', () => {
		const logger = createLogger();
		const seen = vi.fn();
		logger.subscribe(() => {
			throw new Error('broken listener');
		});
		const stop = logger.subscribe(seen);
		logger.error('socket', 'boom', { code: 1006 });
		stop();
		logger.error('socket', 'again');
		expect(seen).toHaveBeenCalledTimes(1);
		expect(seen.mock.calls[0]?.[0]).toMatchObject({
			level: 'error',
			scope: 'socket',
			message: 'boom',
			data: { code: 1006 }
		});
	});

	it('clears', () => {
		const logger = createLogger();
		logger.info('t', 'x');
		logger.clear();
		expect(logger.entries()).toEqual([]);
	});
});
