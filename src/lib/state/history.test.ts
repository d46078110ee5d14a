import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { putImage } from '$lib/storage/images';
import { historyHash, parseHistoryQuery, ThumbnailUrls, toFilter } from './history.svelte';

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

describe('ThumbnailUrls', () => {
	afterEach(() => vi.restoreAllMocks());

	it('makes one URL per visible thumbnail and revokes it when the last card showing it leaves', async () => {
		const db = openDeckDb({ name: `thumbs-${Math.random()}` });
		const hash = await putImage(await db, {
			blob: new Blob(['png'], { type: 'image/png' }),
			thumbnail: new Blob(['webp'], { type: 'image/webp' })
		});
		let made = 0;
		const create = vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:${++made}`);
		const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
		const urls = new ThumbnailUrls(db);

		const [a, b] = await Promise.all([urls.acquire(hash), urls.acquire(hash)]);
		expect(a).toBe('blob:1');
		expect(b).toBe('blob:1');
		expect(create).toHaveBeenCalledTimes(1);
		expect((create.mock.calls[0]?.[0] as Blob).type).toBe('image/webp');

		urls.release(hash);
		await Promise.resolve();
		expect(revoke).not.toHaveBeenCalled();
		urls.release(hash);
		await vi.waitFor(() => expect(revoke).toHaveBeenCalledWith('blob:1'));
		expect(urls.size).toBe(0);
		expect(await urls.acquire('unknown')).toBeUndefined();
	});
});
