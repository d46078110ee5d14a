import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { putCacheEntry } from '$lib/storage/cache';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { getImage, putImage } from '$lib/storage/images';
import type { StorageLike } from '$lib/storage/quota';
import { StorageState } from './storage.svelte';

function fakeStorage(answer: { persist: boolean; persisted?: boolean }): StorageLike {
	let persisted = answer.persisted ?? false;
	return {
		persisted: () => Promise.resolve(persisted),
		persist: () => {
			persisted = answer.persist;
			return Promise.resolve(answer.persist);
		},
		estimate: () => Promise.resolve({ usage: 5_000_000, quota: 100_000_000 })
	};
}

/** A cached result of `bytes` bytes whose image only the cache keeps; returns the image's hash. */
async function cacheResult(db: DeckDb, o: { promptHash: string; bytes: number; usedAt: number }) {
	const hash = await putImage(db, { blob: new Blob([o.promptHash], { type: 'image/png' }) });
	await putCacheEntry(
		db,
		{
			promptHash: o.promptHash,
			jobId: `job-${o.promptHash}`,
			serverId: 's1',
			imageHashes: [hash],
			bytes: o.bytes,
			createdAt: o.usedAt,
			lastUsedAt: o.usedAt
		},
		{ maxBytes: Number.POSITIVE_INFINITY }
	);
	return hash;
}

describe('StorageState', () => {
	it('shows persistence, the estimate and the cache once refreshed', async () => {
		const db = openDeckDb({ name: `storage-${Math.random()}` });
		await cacheResult(await db, { promptHash: 'a', bytes: 300, usedAt: 1 });
		const storage = new StorageState({ db, storage: fakeStorage({ persist: true }) });
		expect(storage.loaded).toBe(false);

		await storage.refresh();

		expect(storage.loaded).toBe(true);
		expect(storage.persisted).toBe(false);
		expect(storage.usage).toBe(5_000_000);
		expect(storage.quota).toBe(100_000_000);
		expect(storage.cache).toEqual({ entries: 1, bytes: 300 });
	});

	it('says what the browser answered when asked to keep the data', async () => {
		const db = openDeckDb({ name: `storage-${Math.random()}` });
		const granted = new StorageState({ db, storage: fakeStorage({ persist: true }) });
		await granted.askPersistence();
		expect(granted.persisted).toBe(true);
		expect(granted.message).toMatch(/Storage is persistent/);
		expect(granted.busy).toBe(false);

		const declined = new StorageState({ db, storage: fakeStorage({ persist: false }) });
		await declined.askPersistence();
		expect(declined.persisted).toBe(false);
		expect(declined.message).toMatch(/declined.*export a backup/i);

		const unsupported = new StorageState({ db, storage: null });
		await unsupported.askPersistence();
		expect(unsupported.persisted).toBeNull();
		expect(unsupported.message).toMatch(/cannot keep storage persistent/);
	});

	it('shrinks the cache to a new limit, oldest first, and says what it freed', async () => {
		const db = await openDeckDb({ name: `storage-${Math.random()}` });
		const oldest = await cacheResult(db, { promptHash: 'old', bytes: 600, usedAt: 1 });
		const newest = await cacheResult(db, { promptHash: 'new', bytes: 400, usedAt: 2 });
		const storage = new StorageState({ db: Promise.resolve(db), storage: null });

		await storage.shrinkCache({ maxBytes: 500 });

		expect(storage.message).toMatch(/^Removed the oldest 1 cached result;/);
		expect(storage.cache).toEqual({ entries: 1, bytes: 400 });
		expect(await getImage(db, oldest)).toBeUndefined();
		expect(await getImage(db, newest)).toBeDefined();

		await storage.shrinkCache({ maxBytes: 500 });
		expect(storage.message).toBe('The cache already fits.');

		await storage.clearCache();
		expect(storage.message).toMatch(/^Cleared 1 cached result;/);
		expect(storage.cache).toEqual({ entries: 0, bytes: 0 });
		await storage.clearCache();
		expect(storage.message).toBe('The cache was already empty.');
	});

	it('says why the cache could not be cleared when the database is gone', async () => {
		const storage = new StorageState({
			db: Promise.reject(new Error('IndexedDB is blocked')),
			storage: null
		});
		await storage.clearCache();
		expect(storage.message).toBe('Could not clear the cache: IndexedDB is blocked');
		expect(storage.busy).toBe(false);
	});
});
