import type { DeckDb, StoredImage } from '$lib/storage/db';
import { getImages } from '$lib/storage/images';

// How long a card shown while the list scrolls stays before its thumbnail is read.
const SETTLE_MS = 80;

/**
 * Object URLs of thumbnails, made when a card shows and revoked when the last card showing it leaves (a
 * virtualized list mounts only the visible cards, so only those hold memory).
 */
export class ThumbnailUrls {
	#db: Promise<DeckDb>;
	#entries = new Map<
		string,
		{ count: number; url: Promise<string | undefined>; revoke?: ReturnType<typeof setTimeout> }
	>();
	#scrolledAt = -Infinity;
	#pending = 0;
	#onSettled: (() => void)[] = [];

	constructor(db: Promise<DeckDb>) {
		this.#db = db;
	}

	/**
	 * The URL of an image's thumbnail (or of the picture itself when it has none; undefined for a sound or a file
	 * with no frame kept); call `release` when done.
	 */
	acquire(hash: string): Promise<string | undefined> {
		const existing = this.#entries.get(hash);
		if (existing) {
			clearTimeout(existing.revoke);
			existing.count++;
			return existing.url;
		}
		const url = this.#read(hash)
			.then((image) => {
				// Only a picture stands in for a missing thumbnail: a FLAC or an MP4 in an <img> shows broken.
				const blob = image?.thumbnail ?? (image && isPicture(image) ? image.blob : undefined);
				// Released before the read finished: make nothing.
				return blob && this.#entries.has(hash) ? URL.createObjectURL(blob) : undefined;
			})
			.catch(() => undefined)
			.finally(() => {
				if (--this.#pending === 0) for (const done of this.#onSettled.splice(0)) done();
			});
		this.#pending++;
		this.#entries.set(hash, { count: 1, url });
		return url;
	}

	// Reads asked for in the same moment (a screen of cards mounting) share one transaction.
	#batch: {
		hash: string;
		resolve: (image: StoredImage | undefined) => void;
		reject: (e: unknown) => void;
	}[] = [];

	#read(hash: string): Promise<StoredImage | undefined> {
		return new Promise((resolve, reject) => {
			this.#batch.push({ hash, resolve, reject });
			if (this.#batch.length === 1) setTimeout(() => void this.#flush(), 0);
		});
	}

	async #flush() {
		const batch = this.#batch.splice(0);
		try {
			const images = await getImages(
				await this.#db,
				batch.map((r) => r.hash)
			);
			batch.forEach((r, i) => r.resolve(images[i]));
		} catch (error) {
			for (const r of batch) r.reject(error);
		}
	}

	release(hash: string): void {
		const entry = this.#entries.get(hash);
		if (!entry || --entry.count > 0) return;
		// A card drawn again with the same thumbnail lets it go and takes it back in one go: the URL is kept for that
		// moment instead of being revoked and the image read again (the run list did so for every row whenever a
		// run finished: 80 reads and object URLs per run of a 50-prompt batch).
		clearTimeout(entry.revoke);
		entry.revoke = setTimeout(() => {
			if (this.#entries.get(hash) !== entry || entry.count > 0) return;
			this.#entries.delete(hash);
			void entry.url.then((url) => url && URL.revokeObjectURL(url));
		}, 0);
	}

	/**
	 * Resolves once the thumbnails asked for so far have their URLs (or after `maxMs`): the gallery waits for the
	 * first screen of thumbnails before reading the rest of history, which would otherwise hold the page up.
	 */
	async settled(options: { maxMs: number }): Promise<void> {
		// Let the page render the first cards (which then ask for their thumbnails).
		if (typeof requestAnimationFrame === 'function') {
			await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
		}
		if (!this.#pending) return;
		await new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, options.maxMs);
			this.#onSettled.push(() => {
				clearTimeout(timer);
				resolve();
			});
		});
	}

	// Cards that showed while the list moved, waiting to stay a moment before their thumbnail is read: one timer for
	// all of them (a fling mounts a dozen cards a frame; a timer each cost more than the cards' own work).
	#waiting = new Set<{ since: number; load: () => void }>();
	#tick: ReturnType<typeof setTimeout> | undefined;

	/**
	 * For a card that just showed: calls `show` with its thumbnail's URL (undefined when there is no picture) at once
	 * when the list is still, or once the card has stayed `SETTLE_MS` while it moves, so a fast fling does not read
	 * and decode hundreds of images that are gone a frame later. Returns what to call when the card leaves; `show` is
	 * never called after it.
	 */
	show(hash: string, show: (url: string | undefined) => void): () => void {
		let live = true;
		let acquired = false;
		const load = () => {
			acquired = true;
			void this.acquire(hash).then((url) => live && show(url));
		};
		const waiting = { since: performance.now(), load };
		if (this.scrolling) {
			this.#waiting.add(waiting);
			this.#tick ??= setTimeout(() => this.#settle(), SETTLE_MS);
		} else load();
		return () => {
			live = false;
			this.#waiting.delete(waiting);
			if (acquired) this.release(hash);
		};
	}

	#settle() {
		this.#tick = undefined;
		const now = performance.now();
		for (const waiting of this.#waiting) {
			if (now - waiting.since < SETTLE_MS) continue;
			this.#waiting.delete(waiting);
			waiting.load();
		}
		if (this.#waiting.size) {
			const oldest = Math.min(...[...this.#waiting].map((w) => w.since));
			this.#tick = setTimeout(() => this.#settle(), Math.max(0, oldest + SETTLE_MS - now));
		}
	}

	/** Called on every scroll of the list (see `scrolling`). */
	noteScroll(): void {
		this.#scrolledAt = performance.now();
	}

	/**
	 * True while the list moves: a card then waits a moment before asking for its thumbnail, so a fast fling does
	 * not read and decode hundreds of images that are gone a frame later.
	 */
	get scrolling(): boolean {
		return performance.now() - this.#scrolledAt < 150;
	}

	/** How many thumbnails hold an object URL now. */
	get size(): number {
		return this.#entries.size;
	}

	/** Revokes everything (the gallery closed). */
	clear(): void {
		this.#waiting.clear();
		clearTimeout(this.#tick);
		this.#tick = undefined;
		for (const hash of [...this.#entries.keys()]) {
			const entry = this.#entries.get(hash);
			if (entry) entry.count = 1;
			this.release(hash);
		}
	}
}

function isPicture(image: StoredImage): boolean {
	return (
		(image.kind === undefined || image.kind === 'image' || image.kind === 'animated') &&
		image.mime.startsWith('image/')
	);
}
