import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { cacheUsage, evictCache, putCacheEntry, useCacheEntry } from './cache';
import { openDeckDb } from './db';
import { getImage, putImage } from './images';
import { jobRecord } from './testing/records';

let n = 0;
const open = () => openDeckDb({ name: `cache-test-${n++}-${Math.random()}` });
const png = (text: string) => new Blob([text], { type: 'image/png' });

async function cached(
	db: Awaited<ReturnType<typeof open>>,
	key: string,
	lastUsedAt: number,
	content: string
) {
	const hash = await putImage(db, { blob: png(content) });
	await db.put('cache', {
		promptHash: key,
		jobId: `job-${key}`,
		serverId: 's',
		imageHashes: [hash],
		bytes: content.length,
		createdAt: lastUsedAt,
		lastUsedAt
	});
	return hash;
}

describe('images', () => {
	it('stores identical bytes once, keyed by their SHA-256', async () => {
		const db = await open();
		const a = await putImage(db, { blob: png('same') });
		const b = await putImage(db, { blob: png('same') });
		expect(a).toBe(b);
		expect(await db.count('images')).toBe(1);
		expect((await getImage(db, a))?.bytes).toBe(4);
	});
});

describe('result cache', () => {
	it('evicts least recently used entries first, down to the size limit', async () => {
		const db = await open();
		await cached(db, 'old', 1, 'aaaaaaaaaa');
		await cached(db, 'mid', 2, 'bbbbbbbbbb');
		await cached(db, 'new', 3, 'cccccccccc');
		await useCacheEntry(db, 'old'); // used just now: no longer the oldest
		expect(await useCacheEntry(db, 'never-run')).toBeUndefined();

		const result = await evictCache(db, { maxBytes: 20 });
		expect(result.evicted).toBe(1);
		expect(await db.get('cache', 'mid')).toBeUndefined();
		expect(await db.get('cache', 'old')).toBeDefined();
		expect(await cacheUsage(db)).toEqual({ entries: 2, bytes: 20 });
	});

	it('never deletes an image that history still shows', async () => {
		const db = await open();
		const kept = await cached(db, 'in-history', 1, 'history image');
		await db.put(
			'jobs',
			jobRecord({
				id: 'j',
				app: { images: [{ filename: 'a.png', subfolder: '', type: 'output', hash: kept }] }
			})
		);
		const dropped = await cached(db, 'only-cached', 2, 'cache-only image');

		await putCacheEntry(
			db,
			{ promptHash: 'x', jobId: 'x', serverId: 's', imageHashes: [], bytes: 0, createdAt: 3, lastUsedAt: 3 },
			{ maxBytes: 0 }
		);
		expect(await db.count('cache')).toBe(1);
		expect(await getImage(db, kept)).toBeDefined();
		expect(await getImage(db, dropped)).toBeUndefined();
	});
});
