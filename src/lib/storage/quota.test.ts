import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb, type DeckDb } from './db';
import { getImage, putImage } from './images';
import { jobRecord } from './testing/records';
import {
	describeEviction,
	estimateStorage,
	isPersisted,
	isQuotaError,
	requestPersistence,
	StorageFullError,
	writeWithEviction,
	type StorageLike
} from './quota';

let n = 0;
const open = () => openDeckDb({ name: `quota-test-${n++}-${Math.random()}` });
const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A database with one image history shows (also cached) and one only the cache holds. */
async function withCacheAndHistory(db: DeckDb) {
	const history = await putImage(db, { blob: new Blob(['history image'], { type: 'image/png' }) });
	const cacheOnly = await putImage(db, { blob: new Blob(['cache-only image'], { type: 'image/png' }) });
	await db.put(
		'jobs',
		jobRecord({
			id: 'kept',
			app: { images: [{ filename: 'a.png', subfolder: '', type: 'output', hash: history }] }
		})
	);
	for (const [key, hash] of [
		['p1', history],
		['p2', cacheOnly]
	] as const) {
		await db.put('cache', {
			promptHash: key,
			jobId: key,
			serverId: 's',
			imageHashes: [hash],
			bytes: 16,
			createdAt: 1,
			lastUsedAt: 1
		});
	}
	return { history, cacheOnly };
}

describe('writeWithEviction', () => {
	it('writes once and evicts nothing when there is room', async () => {
		const db = await open();
		await withCacheAndHistory(db);
		let calls = 0;
		expect(await writeWithEviction(db, async () => ++calls)).toBe(1);
		expect(await db.count('cache')).toBe(2);
	});

	it('on a full quota empties the cache (never history) and retries once, saying what it freed', async () => {
		const db = await open();
		const { history, cacheOnly } = await withCacheAndHistory(db);
		let calls = 0;
		const heard: string[] = [];
		const result = await writeWithEviction(
			db,
			async () => {
				if (++calls === 1) throw quotaError();
				return 'written';
			},
			{ onEvicted: (info) => heard.push(describeEviction(info)) }
		);
		expect(result).toBe('written');
		expect(calls).toBe(2);
		expect(await db.count('cache')).toBe(0);
		expect(await getImage(db, history)).toBeDefined();
		expect(await getImage(db, cacheOnly)).toBeUndefined();
		expect(await db.get('jobs', 'kept')).toBeDefined();
		expect(heard).toEqual([
			'Storage was full: 2 cached results (0.0 MB) were removed to make room. History was not touched.'
		]);
	});

	it('fails with a message saying what happened and what to do when the retry is still too much', async () => {
		const db = await open();
		await withCacheAndHistory(db);
		let calls = 0;
		const failure = await writeWithEviction(db, async () => {
			calls++;
			throw quotaError();
		}).catch((e: unknown) => e);
		expect(calls).toBe(2);
		expect(failure).toBeInstanceOf(StorageFullError);
		expect((failure as Error).message).toMatch(
			/storage for Comfy Deck is full\. The result cache was emptied \(2 cached results.*History was not touched\. Delete generations/
		);
		// Nothing left to evict the next time: the message says so.
		const next = await writeWithEviction(db, () => Promise.reject(quotaError())).catch((e: unknown) => e);
		expect((next as Error).message).toMatch(/the result cache had nothing left to free/);
	});

	it('passes any other error through without touching the cache', async () => {
		const db = await open();
		await withCacheAndHistory(db);
		const failure = await writeWithEviction(db, () => Promise.reject(new TypeError('bad record'))).catch(
			(e: unknown) => e
		);
		expect(failure).toBeInstanceOf(TypeError);
		expect(await db.count('cache')).toBe(2);
	});
});

describe('isQuotaError', () => {
	it('recognises the quota error however it arrives', () => {
		expect(isQuotaError(quotaError())).toBe(true);
		// A transaction aborted by quota: AbortError whose `error` is the quota error.
		expect(isQuotaError({ name: 'AbortError', error: quotaError() })).toBe(true);
		expect(isQuotaError(new Error('wrapped', { cause: quotaError() }))).toBe(true);
		expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
		expect(isQuotaError('QuotaExceededError')).toBe(false);
	});
});

describe('persistence and estimate', () => {
	const storage = (over: Partial<StorageLike>): StorageLike => ({
		persist: async () => false,
		persisted: async () => false,
		estimate: async () => ({}),
		...over
	});

	it('reports what the browser says, and null where it cannot tell', async () => {
		expect(await requestPersistence({ storage: storage({ persist: async () => true }) })).toBe(true);
		expect(await isPersisted({ storage: storage({ persisted: async () => true }) })).toBe(true);
		expect(
			await estimateStorage({ storage: storage({ estimate: async () => ({ usage: 5, quota: 100 }) }) })
		).toEqual({ usage: 5, quota: 100 });
		expect(await estimateStorage({ storage: storage({}) })).toBeNull();
		expect(await requestPersistence({ storage: null })).toBeNull();
		expect(
			await isPersisted({ storage: storage({ persisted: () => Promise.reject(new Error('no')) }) })
		).toBeNull();
	});
});
