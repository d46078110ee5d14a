import { describe, expect, it } from 'vitest';
import { historyHash, parseHistoryQuery, toFilter } from './history-query';

describe('gallery filters in the URL', () => {
	it('round-trips every filter, text with spaces and symbols included', () => {
		const query = {
			template: 'sd15-txt2img',
			status: 'failed',
			server: 's1',
			from: '2026-01-02',
			to: '2026-01-31',
			tag: 'night & day',
			style: 'oil on canvas',
			q: 'a cat, 50% #1'
		};
		const hash = historyHash(query);
		expect(hash.startsWith('#/history?template=sd15-txt2img&status=failed')).toBe(true);
		expect(parseHistoryQuery(hash)).toEqual(query);
		expect(parseHistoryQuery(`http://host/deck/${hash}`)).toEqual(query);
	});

	it('ignores unknown keys, empty values and malformed dates', () => {
		expect(parseHistoryQuery('#/history?foo=1&status=&from=yesterday&tag=x')).toEqual({ tag: 'x' });
		expect(parseHistoryQuery('#/history')).toEqual({});
		expect(historyHash({})).toBe('#/history');
	});

	it('turns days into the whole local day', () => {
		const filter = toFilter({ from: '2026-03-05', to: '2026-03-05', q: 'fox' });
		expect(filter.from).toBe(new Date(2026, 2, 5).getTime());
		expect(filter.to).toBe(new Date(2026, 2, 6).getTime() - 1);
		expect(filter.text).toBe('fox');
	});
});
