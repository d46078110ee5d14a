import { describe, expect, it } from 'vitest';
import { dispatchSettingsOf, parseQueueSetting } from './dispatch-settings';

describe('queue settings', () => {
	it('reads typed numbers within their limits', () => {
		expect(parseQueueSetting('queueMaxInFlight', ' 3 ')).toEqual({ ok: true, value: 3 });
		expect(parseQueueSetting('queueRate', '2.5')).toEqual({ ok: true, value: 2.5 });
		expect(parseQueueSetting('queueThreshold', '0')).toEqual({ ok: true, value: 0 });
	});

	it('says what is wrong and what to type instead', () => {
		expect(parseQueueSetting('queueMaxInFlight', '0')).toEqual({
			ok: false,
			message: 'Items per server must be from 1 to 64; 0 is out of range.'
		});
		expect(parseQueueSetting('queueBurst', '2.5')).toEqual({
			ok: false,
			message: 'The burst must be a whole number from 1 to 1000.'
		});
		expect(parseQueueSetting('queueRate', 'fast')).toMatchObject({ ok: false });
		expect(parseQueueSetting('queueThreshold', '')).toMatchObject({ ok: false });
	});

	it('turns a rate of 0 into no limit for the dispatcher', () => {
		const values = { queueMaxInFlight: 3, queueThreshold: 5, queueRate: 0, queueBurst: 2 };
		expect(dispatchSettingsOf(values)).toEqual({
			maxInFlight: 3,
			queueThreshold: 5,
			bucket: { ratePerSecond: Infinity, burst: 2 }
		});
		expect(dispatchSettingsOf({ ...values, queueRate: 4 }).bucket.ratePerSecond).toBe(4);
	});
});
