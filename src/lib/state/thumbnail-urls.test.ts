import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { putImage } from '$lib/storage/images';
import { ThumbnailUrls } from './thumbnail-urls';

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

	it('keeps the URL of a thumbnail let go and taken back at once (a card drawn again), without reading it again', async () => {
		const db = openDeckDb({ name: `thumbs-${Math.random()}` });
		const hash = await putImage(await db, { blob: new Blob(['png'], { type: 'image/png' }) });
		let made = 0;
		const create = vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:${++made}`);
		const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
		const urls = new ThumbnailUrls(db);

		expect(await urls.acquire(hash)).toBe('blob:1');
		urls.release(hash);
		expect(await urls.acquire(hash)).toBe('blob:1');
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(create).toHaveBeenCalledTimes(1);
		expect(revoke).not.toHaveBeenCalled();
		expect(urls.size).toBe(1);

		urls.release(hash);
		await vi.waitFor(() => expect(revoke).toHaveBeenCalledWith('blob:1'));
		expect(urls.size).toBe(0);
	});

	it('shows a picture without a thumbnail itself, but never a sound or a frameless video as a picture', async () => {
		const db = openDeckDb({ name: `thumbs-${Math.random()}` });
		const png = await putImage(await db, { blob: new Blob(['png'], { type: 'image/png' }) });
		const flac = await putImage(await db, {
			blob: new Blob(['fLaC'], { type: 'audio/flac' }),
			kind: 'audio',
			duration: 0.5
		});
		const mp4 = await putImage(await db, {
			blob: new Blob(['mp4'], { type: 'video/mp4' }),
			kind: 'video',
			unplayable: true
		});
		vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => `blob:${(blob as Blob).type}`);
		const urls = new ThumbnailUrls(db);
		expect(await urls.acquire(png)).toBe('blob:image/png');
		expect(await urls.acquire(flac)).toBeUndefined();
		expect(await urls.acquire(mp4)).toBeUndefined();
	});

	it('reads a thumbnail at once for a still list; while it scrolls, only for a card that stays a moment', async () => {
		const db = openDeckDb({ name: `thumbs-${Math.random()}` });
		const stays = await putImage(await db, { blob: new Blob(['a'], { type: 'image/png' }) });
		const flungPast = await putImage(await db, { blob: new Blob(['b'], { type: 'image/png' }) });
		vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => `blob:${(blob as Blob).size}`);
		const read = vi.spyOn(URL, 'createObjectURL');
		const urls = new ThumbnailUrls(db);

		const still = await new Promise((resolve) => urls.show(stays, resolve));
		expect(still).toBe('blob:1');
		urls.clear();
		read.mockClear();

		urls.noteScroll();
		const shown: string[] = [];
		urls.show(stays, (url) => shown.push(`stays ${url}`));
		const leave = urls.show(flungPast, (url) => shown.push(`flung ${url}`));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(shown).toEqual([]);
		leave();
		await vi.waitFor(() => expect(shown).toEqual(['stays blob:1']));
		await new Promise((resolve) => setTimeout(resolve, 100));
		// The card flung past was never read.
		expect(shown).toEqual(['stays blob:1']);
		expect(read).toHaveBeenCalledTimes(1);
	});
});
