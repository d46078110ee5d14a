import { SvelteSet } from 'svelte/reactivity';
import { isTerminal } from '$lib/comfy';
import type { DeckDb, StoredImage } from '$lib/storage/db';
import {
	deleteHistoryJobs,
	historyFacets,
	isFiltered,
	queryHistory,
	type HistoryFacets,
	type HistoryFilter,
	type HistoryItem
} from '$lib/storage/history';
import { getImage, getImages } from '$lib/storage/images';
import { getJob } from '$lib/storage/jobs';
import { formatBytes } from '$lib/util/units';
import { zipBlob, type ZipInput } from '$lib/util/zip';
import type { AppState } from './app.svelte';
import { errorMessage } from '$lib/util/error-message';

export const HISTORY_ROUTE = '#/history';

/** The gallery's filters as the URL keeps them: text, with dates as `YYYY-MM-DD` (local days). */
export interface HistoryQuery {
	template?: string;
	status?: string;
	server?: string;
	from?: string;
	to?: string;
	tag?: string;
	style?: string;
	q?: string;
}

/** Every status a job can have, in the order the filter offers them. */
export const STATUSES = [
	'succeeded',
	'failed',
	'interrupted',
	'lost',
	'running',
	'queued',
	'pending'
] as const;

/** A status as people read it. */
export function statusLabel(status: string): string {
	const labels: Record<string, string> = {
		succeeded: 'Done',
		failed: 'Failed',
		interrupted: 'Interrupted',
		lost: 'Lost',
		running: 'Running',
		queued: 'Queued',
		pending: 'Pending'
	};
	return labels[status] ?? status;
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const shortWhen = new Intl.DateTimeFormat(undefined, {
	month: 'short',
	day: 'numeric',
	hour: 'numeric',
	minute: '2-digit'
});
const thisYear = new Date().getFullYear();

/** A job's date and time in full (one shared formatter: 10,000 cards must not each build one). */
export function formatWhen(t: number): string {
	return when.format(t);
}

/** A job's time as a card shows it: without the year when it is this year's. */
export function formatShortWhen(t: number): string {
	return new Date(t).getFullYear() === thisYear ? shortWhen.format(t) : when.format(t);
}

const QUERY_KEYS = ['template', 'status', 'server', 'from', 'to', 'tag', 'style', 'q'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters of a `#/history?…` fragment (or whole URL); unknown keys and malformed dates are ignored. */
export function parseHistoryQuery(hash: string): HistoryQuery {
	const fragment = hash.includes('#') ? hash.slice(hash.indexOf('#') + 1) : hash;
	const q = fragment.indexOf('?');
	if (q === -1) return {};
	const params = new URLSearchParams(fragment.slice(q + 1));
	const query: HistoryQuery = {};
	for (const key of QUERY_KEYS) {
		const value = params.get(key)?.trim();
		if (!value) continue;
		if ((key === 'from' || key === 'to') && !DAY.test(value)) continue;
		query[key] = value;
	}
	return query;
}

/** The fragment of a filtered gallery (bookmarkable): `#/history?status=failed&tag=sky`. */
export function historyHash(query: HistoryQuery): string {
	const params = new URLSearchParams();
	for (const key of QUERY_KEYS) {
		const value = query[key];
		if (value) params.set(key, value);
	}
	const text = params.toString();
	return text ? `${HISTORY_ROUTE}?${text}` : HISTORY_ROUTE;
}

/** The storage filter of a URL query: days become the local day's first and last millisecond. */
export function toFilter(query: HistoryQuery): HistoryFilter {
	const day = (text: string | undefined, end: boolean) => {
		if (!text) return undefined;
		const [y, m, d] = text.split('-').map(Number) as [number, number, number];
		const t = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
		return Number.isNaN(t.getTime()) ? undefined : t.getTime();
	};
	return {
		...(query.template ? { templateId: query.template } : {}),
		...(query.status ? { status: query.status } : {}),
		...(query.server ? { serverId: query.server } : {}),
		...(query.tag ? { tag: query.tag } : {}),
		...(query.style ? { style: query.style } : {}),
		...(query.q ? { text: query.q } : {}),
		...(query.from ? { from: day(query.from, false) } : {}),
		...(query.to ? { to: day(query.to, true) } : {})
	};
}

/**
 * Object URLs of thumbnails, made when a card shows and revoked when the last card showing it leaves (a
 * virtualized list mounts only the visible cards, so only those hold memory).
 */
export class ThumbnailUrls {
	#db: Promise<DeckDb>;
	#entries = new Map<string, { count: number; url: Promise<string | undefined> }>();
	#scrolledAt = -Infinity;
	#pending = 0;
	#onSettled: (() => void)[] = [];

	constructor(db: Promise<DeckDb>) {
		this.#db = db;
	}

	/** The URL of an image's thumbnail (or of the image itself when it has none); call `release` when done. */
	acquire(hash: string): Promise<string | undefined> {
		const existing = this.#entries.get(hash);
		if (existing) {
			existing.count++;
			return existing.url;
		}
		const url = this.#read(hash)
			.then((image) => {
				const blob = image?.thumbnail ?? image?.blob;
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
		this.#entries.delete(hash);
		void entry.url.then((url) => url && URL.revokeObjectURL(url));
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
		for (const hash of [...this.#entries.keys()]) {
			const entry = this.#entries.get(hash);
			if (entry) entry.count = 1;
			this.release(hash);
		}
	}
}

/**
 * The history gallery: the matching jobs (newest first, first page at once and the rest right after), the filter
 * controls' choices, the URL of the current filters, and the multi-selection (delete, download as a zip).
 */
export class HistoryState {
	query = $state<HistoryQuery>({});
	items = $state.raw<HistoryItem[]>([]);
	facets = $state.raw<HistoryFacets>({
		templates: [],
		serverIds: [],
		statuses: [],
		tags: [],
		styles: []
	});
	/** True until the first page of the current query is there. */
	loading = $state(true);
	/** True while the matches after the first page are read. */
	loadingRest = $state(false);
	/** Whether history holds any job at all (to tell "nothing yet" from "nothing matches"). */
	hasAny = $state(false);
	selected = new SvelteSet<string>();
	/** What the last action did or why it failed (shown in a status line). */
	message = $state('');
	error = $state('');
	busy = $state(false);

	readonly thumbnails: ThumbnailUrls;
	#app: AppState;
	#generation = 0;

	constructor(app: AppState) {
		this.#app = app;
		this.thumbnails = new ThumbnailUrls(app.db);
	}

	get filtered(): boolean {
		return isFiltered(toFilter(this.query));
	}

	get hash(): string {
		return historyHash(this.query);
	}

	/** Items currently selected, in gallery order. */
	get selectedItems(): HistoryItem[] {
		return this.items.filter((i) => this.selected.has(i.id));
	}

	/** Sets the filters from a URL fragment and reloads when they changed. */
	loadHash(hash: string): void {
		const next = parseHistoryQuery(hash);
		if (historyHash(next) === this.hash && !this.loading) return;
		this.query = next;
		void this.reload();
	}

	/** Changes one filter (empty clears it) and reloads. */
	setFilter(key: keyof HistoryQuery, value: string): void {
		const next = { ...this.query };
		if (value.trim()) next[key] = value.trim();
		else delete next[key];
		this.query = next;
		void this.reload();
	}

	clearFilters(): void {
		this.query = {};
		void this.reload();
	}

	/** Reads the matching jobs again (filters changed, or history changed here or in another tab). */
	async reload(): Promise<void> {
		const generation = ++this.#generation;
		const stale = () => generation !== this.#generation;
		try {
			const db = await this.#app.db;
			const page = await queryHistory(db, { filter: toFilter(this.query), firstPage: 48 });
			if (stale()) return;
			this.items = page.items;
			if (page.items.length) this.hasAny = true;
			this.loading = false;
			this.loadingRest = page.rest !== undefined;
			// The filter choices are cheap to read (one record per distinct value): before the rest of the list.
			const facets = await historyFacets(db);
			if (stale()) return;
			this.facets = facets;
			this.hasAny = facets.statuses.length > 0;
			const rest = page.rest;
			if (rest) {
				await this.thumbnails.settled({ maxMs: 400 });
				if (stale()) return;
				const more = await rest();
				if (stale()) return;
				this.items = [...page.items, ...more];
			}
			this.loadingRest = false;
			// Forget selected jobs that are no longer listed (deleted elsewhere, or filtered out).
			const listed = new Set(this.items.map((i) => i.id));
			for (const id of [...this.selected]) if (!listed.has(id)) this.selected.delete(id);
		} catch (error) {
			if (stale()) return;
			this.loading = false;
			this.loadingRest = false;
			this.error = `Could not read the history from this browser's storage: ${errorMessage(error)}`;
		}
	}

	toggle(id: string, on: boolean): void {
		if (on) this.selected.add(id);
		else this.selected.delete(id);
	}

	/** Selects every listed job, or none when all are selected already. */
	toggleAll(): void {
		if (this.items.length && this.items.every((i) => this.selected.has(i.id))) this.selected.clear();
		else for (const item of this.items) this.selected.add(item.id);
	}

	/**
	 * Deletes the selected jobs (unfinished ones are skipped: cancel them first) with their images, and tells
	 * the other tabs.
	 */
	async deleteSelected(): Promise<void> {
		const chosen = this.selectedItems;
		const running = chosen.filter((i) => !isTerminal(this.#app.jobs.byId[i.id]?.status ?? i.status));
		const ids = chosen.filter((i) => !running.includes(i)).map((i) => i.id);
		this.busy = true;
		this.error = '';
		try {
			const result = await deleteJobs(this.#app, ids);
			for (const id of result.deleted) this.selected.delete(id);
			const n = result.deleted.length;
			this.message =
				`Deleted ${n} generation${n === 1 ? '' : 's'} (${formatBytes(result.freedBytes)} freed).` +
				(running.length
					? ` ${running.length} still running ${running.length === 1 ? 'was' : 'were'} kept: cancel ${running.length === 1 ? 'it' : 'them'} first.`
					: '');
			await this.reload();
		} catch (error) {
			this.error = `Could not delete: ${errorMessage(error)}`;
		} finally {
			this.busy = false;
		}
	}

	/** A zip of the selected jobs' images, as their original bytes (ComfyUI's metadata intact). */
	async zipSelected(): Promise<{ blob: Blob; name: string; count: number } | undefined> {
		this.busy = true;
		this.error = '';
		try {
			const db = await this.#app.db;
			const files: ZipInput[] = [];
			let missing = 0;
			for (const item of this.selectedItems) {
				const job = await getJob(db, item.id);
				for (const image of job?.app?.images ?? []) {
					const stored = image.hash ? await getImage(db, image.hash) : undefined;
					if (!stored) {
						missing++;
						continue;
					}
					files.push({
						name: image.filename || `${image.hash}.png`,
						bytes: new Uint8Array(await stored.blob.arrayBuffer()),
						date: new Date(job?.createdAt ?? Date.now())
					});
				}
			}
			if (!files.length) {
				this.error = 'The selected generations have no kept images to download.';
				return undefined;
			}
			this.message =
				`${files.length} image${files.length === 1 ? '' : 's'} in the zip.` +
				(missing ? ` ${missing} could not be included (not kept in this browser).` : '');
			const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
			return {
				blob: zipBlob(files),
				name: `comfy-deck-${stamp}.zip`,
				count: files.length
			};
		} catch (error) {
			this.error = `Could not make the zip: ${errorMessage(error)}`;
			return undefined;
		} finally {
			this.busy = false;
		}
	}

	/** Frees every thumbnail URL (the gallery closed). */
	dispose(): void {
		this.#generation++;
		this.thumbnails.clear();
	}
}

/**
 * Deletes jobs from IndexedDB (with their images) and from their server's tracker, so they leave every view; then
 * tells the other tabs.
 */
export async function deleteJobs(
	app: AppState,
	ids: string[]
): Promise<{ deleted: string[]; freedBytes: number }> {
	const db = await app.db;
	const result = await deleteHistoryJobs(db, ids);
	for (const id of result.deleted) {
		const live = app.jobs.byId[id];
		const server = live && app.servers.find((s) => s.id === live.serverId);
		// The tracker still holds the finished job in memory (and would list it): forget it there too.
		if (server) await app.jobs.clientFor(server).jobs.remove(id);
	}
	app.jobs.announce();
	return result;
}
