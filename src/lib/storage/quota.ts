/**
 * The browser's storage for Comfy Deck: asking to keep it (persistent storage is not cleared under storage
 * pressure), how much is used of how much, and writing through a full quota by evicting the result cache —
 * never history.
 */
import { evictCache } from './cache';
import type { DeckDb } from './db';

/** What `navigator.storage` offers (absent in old browsers and some private modes). */
export type StorageLike = Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>;

function storageManager(storage?: StorageLike | null): StorageLike | null {
	if (storage !== undefined) return storage;
	return typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null;
}

/** Whether the browser keeps this site's data under storage pressure; null when it cannot tell. */
export async function isPersisted(options: { storage?: StorageLike | null } = {}): Promise<boolean | null> {
	const storage = storageManager(options.storage);
	if (!storage?.persisted) return null;
	try {
		return await storage.persisted();
	} catch {
		return null;
	}
}

/**
 * Asks the browser to keep this site's data. Chromium decides by itself (granted for an installed or
 * bookmarked site, or one used often); Firefox asks the user. Returns the answer, null when unsupported.
 */
export async function requestPersistence(
	options: { storage?: StorageLike | null } = {}
): Promise<boolean | null> {
	const storage = storageManager(options.storage);
	if (!storage?.persist) return null;
	try {
		return await storage.persist();
	} catch {
		return null;
	}
}

/** Bytes used and the quota this site may use, as the browser estimates them; null when unknown. */
export async function estimateStorage(
	options: { storage?: StorageLike | null } = {}
): Promise<{ usage: number; quota: number } | null> {
	const storage = storageManager(options.storage);
	if (!storage?.estimate) return null;
	try {
		const estimate = await storage.estimate();
		if (typeof estimate.usage !== 'number' || typeof estimate.quota !== 'number') return null;
		return { usage: estimate.usage, quota: estimate.quota };
	} catch {
		return null;
	}
}

/** True for a failed write because the storage quota is used up (however the browser words it). */
export function isQuotaError(error: unknown): boolean {
	for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
		if (typeof e !== 'object') return false;
		const name = (e as { name?: unknown }).name;
		if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
		// A transaction aborted by a quota failure rejects with AbortError; its cause or `error` says why.
		e = (e as { cause?: unknown }).cause ?? (e as { error?: unknown }).error;
	}
	return false;
}

/** What eviction freed to make room for a write. */
export interface EvictionInfo {
	evicted: number;
	freedBytes: number;
}

/** A write failed for quota even after the cache was emptied: the message says what happened and what to do. */
export class StorageFullError extends Error {
	override name = 'StorageFullError';
	constructor(
		readonly eviction: EvictionInfo,
		options: { cause: unknown }
	) {
		super(
			eviction.evicted
				? `The browser's storage for Comfy Deck is full. The result cache was emptied (${eviction.evicted} cached ${eviction.evicted === 1 ? 'result' : 'results'}, ${megabytes(eviction.freedBytes)} freed) and it is still not enough. History was not touched. Delete generations you no longer need in History (export a backup first to keep them), or free disk space, then try again.`
				: `The browser's storage for Comfy Deck is full, and the result cache had nothing left to free. History was not touched. Delete generations you no longer need in History (export a backup first to keep them), or free disk space, then try again.`,
			options
		);
	}
}

function megabytes(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/**
 * Runs `write`; when it fails because storage is full, evicts every cache entry (images history uses are kept)
 * and retries once. `onEvicted` hears what was freed, so the caller can say so even when the retry works.
 * A second quota failure throws `StorageFullError`; other errors pass through unchanged.
 */
export async function writeWithEviction<T>(
	db: DeckDb,
	write: () => Promise<T>,
	options: { onEvicted?: (info: EvictionInfo) => void } = {}
): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (!isQuotaError(error)) throw error;
		const info = await evictCache(db, { maxBytes: 0 });
		options.onEvicted?.(info);
		try {
			return await write();
		} catch (again) {
			if (isQuotaError(again)) throw new StorageFullError(info, { cause: again });
			throw again;
		}
	}
}

/** "Storage was full: 3 cached results (12.5 MB) were removed to make room." */
export function describeEviction(info: EvictionInfo): string {
	return `Storage was full: ${info.evicted} cached ${info.evicted === 1 ? 'result' : 'results'} (${megabytes(info.freedBytes)}) ${info.evicted === 1 ? 'was' : 'were'} removed to make room. History was not touched.`;
}
