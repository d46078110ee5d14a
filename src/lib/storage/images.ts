import { sha256Hex } from '$lib/util/canonical-hash';
import type { DeckDb, StoredImage } from './db';

/** What the caller knows about a result it wants kept. */
export interface ImageInput {
	blob: Blob;
	thumbnail?: Blob;
	width?: number;
	height?: number;
	/** The output kind when it is not a still image (`video`, `audio`, …). */
	kind?: string;
	/** Seconds, for video and audio. */
	duration?: number;
	unplayable?: boolean;
	/** A sound's waveform, 0…1 per bar. */
	peaks?: number[];
}

/**
 * Stores an image once per content hash (the same PNG fetched twice, or a cache hit re-run, is kept once) and
 * returns the hash. The original bytes are kept as they came from `/view`, so ComfyUI's embedded metadata survives.
 */
export async function putImage(db: DeckDb, input: ImageInput): Promise<string> {
	const bytes = new Uint8Array(await input.blob.arrayBuffer());
	const hash = await sha256Hex(bytes);
	const existing = await db.get('images', hash);
	if (existing && (existing.thumbnail || !input.thumbnail)) return hash;
	const record: StoredImage = {
		hash,
		blob: input.blob,
		mime: input.blob.type || 'application/octet-stream',
		bytes: input.blob.size,
		createdAt: existing?.createdAt ?? Date.now(),
		...(input.thumbnail ? { thumbnail: input.thumbnail } : {}),
		...(input.width ? { width: input.width } : {}),
		...(input.height ? { height: input.height } : {}),
		...(input.kind ? { kind: input.kind } : {}),
		...(input.duration !== undefined && Number.isFinite(input.duration) ? { duration: input.duration } : {}),
		...(input.unplayable ? { unplayable: true } : {}),
		...(input.peaks?.length ? { peaks: input.peaks } : {})
	};
	await db.put('images', record);
	return hash;
}

/**
 * An image by content hash.
 * @param db the open database.
 * @param hash SHA-256 of its bytes (hex).
 */
export function getImage(db: DeckDb, hash: string): Promise<StoredImage | undefined> {
	return db.get('images', hash);
}

/**
 * Several images in one transaction (a screen of thumbnails), in the order asked; undefined for unknown ones.
 * @param db the open database.
 * @param hashes their content hashes.
 */
export async function getImages(db: DeckDb, hashes: readonly string[]): Promise<(StoredImage | undefined)[]> {
	const tx = db.transaction('images');
	const images = await Promise.all(hashes.map((hash) => tx.store.get(hash)));
	await tx.done;
	return images;
}

/** Deletes images that no job and no cache entry refers to any more; returns how many bytes were freed. */
export async function deleteUnreferencedImages(db: DeckDb, hashes: Iterable<string>): Promise<number> {
	const candidates = new Set(hashes);
	if (!candidates.size) return 0;
	const tx = db.transaction(['jobs', 'cache', 'images'], 'readwrite');
	const referenced = new Set<string>();
	for (const job of await tx.objectStore('jobs').getAll()) {
		for (const hash of imageHashesOf(job)) referenced.add(hash);
	}
	for (const entry of await tx.objectStore('cache').getAll()) {
		for (const hash of entry.imageHashes) referenced.add(hash);
	}
	let freed = 0;
	for (const hash of candidates) {
		if (referenced.has(hash)) continue;
		const image = await tx.objectStore('images').get(hash);
		if (!image) continue;
		freed += image.bytes + (image.thumbnail?.size ?? 0);
		await tx.objectStore('images').delete(hash);
	}
	await tx.done;
	return freed;
}

/** The image hashes a stored job refers to (`app.images[].hash`, where history keeps them). */
export function imageHashesOf(job: { app?: { images?: unknown } }): string[] {
	const images = job.app?.images;
	if (!Array.isArray(images)) return [];
	return images.flatMap((image: unknown) =>
		typeof image === 'object' && image !== null && 'hash' in image && typeof image.hash === 'string'
			? [image.hash]
			: []
	);
}
