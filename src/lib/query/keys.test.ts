import { describe, expect, it } from 'vitest';
import { serverIdOf, serverKeys } from './keys';

describe('serverKeys', () => {
	it('puts every query of a server under one prefix, so it can be dropped or refreshed at once', () => {
		const prefix = serverKeys.all('s1');
		for (const key of [
			serverKeys.systemStats('s1'),
			serverKeys.queue('s1'),
			serverKeys.queueRemaining('s1'),
			serverKeys.objectInfo('s1'),
			serverKeys.models('s1'),
			serverKeys.features('s1')
		]) {
			expect(key.slice(0, 2)).toEqual(prefix);
			expect(serverIdOf(key)).toBe('s1');
		}
		expect(serverKeys.systemStats('s1')).toEqual(['server', 's1', 'system_stats']);
	});

	it('keeps servers apart and tells other keys from server keys', () => {
		expect(serverKeys.queue('a')).not.toEqual(serverKeys.queue('b'));
		expect(serverIdOf(['templates'])).toBeUndefined();
	});
});
