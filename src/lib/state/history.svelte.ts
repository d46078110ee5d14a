import { SvelteSet } from 'svelte/reactivity';
import { isTerminal } from '$lib/comfy';
import {
	deleteHistoryJobs,
	historyFacets,
	isFiltered,
	queryHistory,
	type HistoryFacets,
	type HistoryItem
} from '$lib/storage/history';
import { getImage } from '$lib/storage/images';
import { getJob } from '$lib/storage/jobs';
import { formatBytes } from '$lib/util/units';
import { zipBlob, type ZipInput } from '$lib/util/zip';
import type { AppState } from './app.svelte';
import { errorMessage } from '$lib/util/error-message';
import { historyHash, parseHistoryQuery, toFilter, type HistoryQuery } from './history-query';
import { ThumbnailUrls } from './thumbnail-urls';
import { ActionStatus } from './action-status.svelte';

/** What the history views need of the app: its database, the live jobs and the servers in use. */
export type HistoryApp = Pick<AppState, 'db' | 'jobs' | 'servers'>;

/**
 * The history gallery: the matching jobs (newest first, first page at once and the rest right after), the filter
 * controls' choices, the URL of the current filters, and the multi-selection (delete, download as a zip).
 */
export class HistoryState extends ActionStatus {
	#query = $state<HistoryQuery>({});
	#items = $state.raw<HistoryItem[]>([]);
	#facets = $state.raw<HistoryFacets>({
		templates: [],
		serverIds: [],
		statuses: [],
		tags: [],
		styles: []
	});
	#loading = $state(true);
	#loadingRest = $state(false);
	#hasAny = $state(false);
	#selected = new SvelteSet<string>();

	readonly thumbnails: ThumbnailUrls;
	#app: HistoryApp;
	#generation = 0;

	constructor(app: HistoryApp) {
		super();
		this.#app = app;
		this.thumbnails = new ThumbnailUrls(app.db);
	}

	/** The filters in force, as the URL keeps them. */
	get query(): HistoryQuery {
		return this.#query;
	}

	/** The matching jobs, newest first. */
	get items(): HistoryItem[] {
		return this.#items;
	}

	/** The filter controls' choices: every template, server, status and tag in history. */
	get facets(): HistoryFacets {
		return this.#facets;
	}

	/** True until the first page of the current query is there. */
	get loading(): boolean {
		return this.#loading;
	}

	/** True while the matches after the first page are read. */
	get loadingRest(): boolean {
		return this.#loadingRest;
	}

	/** Whether history holds any job at all (to tell "nothing yet" from "nothing matches"). */
	get hasAny(): boolean {
		return this.#hasAny;
	}

	/** Ids of the selected jobs (change it with `toggle` and `toggleAll`). */
	get selected(): ReadonlySet<string> {
		return this.#selected;
	}

	get filtered(): boolean {
		return isFiltered(toFilter(this.#query));
	}

	get hash(): string {
		return historyHash(this.#query);
	}

	/** Items currently selected, in gallery order. */
	get selectedItems(): HistoryItem[] {
		return this.#items.filter((i) => this.#selected.has(i.id));
	}

	/** Sets the filters from a URL fragment and reloads when they changed. */
	loadHash(hash: string): void {
		const next = parseHistoryQuery(hash);
		if (historyHash(next) === this.hash && !this.#loading) return;
		this.#query = next;
		void this.reload();
	}

	/** Changes one filter (empty clears it) and reloads. */
	setFilter({ key, value }: { key: keyof HistoryQuery; value: string }): void {
		const next = { ...this.#query };
		if (value.trim()) next[key] = value.trim();
		else delete next[key];
		this.#query = next;
		void this.reload();
	}

	clearFilters(): void {
		this.#query = {};
		void this.reload();
	}

	/** Reads the matching jobs again (filters changed, or history changed here or in another tab). */
	async reload(): Promise<void> {
		const generation = ++this.#generation;
		const stale = () => generation !== this.#generation;
		try {
			const db = await this.#app.db;
			const page = await queryHistory(db, { filter: toFilter(this.#query), firstPage: 48 });
			if (stale()) return;
			this.#items = page.items;
			if (page.items.length) this.#hasAny = true;
			this.#loading = false;
			this.#loadingRest = page.rest !== undefined;
			// The filter choices are cheap to read (one record per distinct value): before the rest of the list.
			const facets = await historyFacets(db);
			if (stale()) return;
			this.#facets = facets;
			this.#hasAny = facets.statuses.length > 0;
			const rest = page.rest;
			if (rest) {
				await this.thumbnails.settled({ maxMs: 400 });
				if (stale()) return;
				const more = await rest();
				if (stale()) return;
				this.#items = [...page.items, ...more];
			}
			this.#loadingRest = false;
			// Forget selected jobs that are no longer listed (deleted elsewhere, or filtered out).
			const listed = new Set(this.#items.map((i) => i.id));
			for (const id of [...this.#selected]) if (!listed.has(id)) this.#selected.delete(id);
		} catch (error) {
			if (stale()) return;
			this.#loading = false;
			this.#loadingRest = false;
			this.fail(`Could not read the history from this browser's storage: ${errorMessage(error)}`);
		}
	}

	/** Selects or unselects one job. */
	toggle({ id, selected }: { id: string; selected: boolean }): void {
		if (selected) this.#selected.add(id);
		else this.#selected.delete(id);
	}

	/** Selects every listed job, or none when all are selected already. */
	toggleAll(): void {
		if (this.#items.length && this.#items.every((i) => this.#selected.has(i.id))) this.#selected.clear();
		else for (const item of this.#items) this.#selected.add(item.id);
	}

	/**
	 * Deletes the selected jobs (unfinished ones are skipped: cancel them first) with their images, and tells
	 * the other tabs.
	 */
	async deleteSelected(): Promise<void> {
		const chosen = this.selectedItems;
		const running = chosen.filter((i) => !isTerminal(this.#app.jobs.byId[i.id]?.status ?? i.status));
		const ids = chosen.filter((i) => !running.includes(i)).map((i) => i.id);
		await this.busyWith({
			failure: 'Could not delete',
			action: async () => {
				const result = await deleteJobs({ app: this.#app, ids });
				for (const id of result.deleted) this.#selected.delete(id);
				const n = result.deleted.length;
				this.report(
					`Deleted ${n} generation${n === 1 ? '' : 's'} (${formatBytes(result.freedBytes)} freed).` +
						(running.length
							? ` ${running.length} still running ${running.length === 1 ? 'was' : 'were'} kept: cancel ${running.length === 1 ? 'it' : 'them'} first.`
							: '')
				);
				await this.reload();
			}
		});
	}

	/** A zip of the selected jobs' images, as their original bytes (ComfyUI's metadata intact). */
	async zipSelected(): Promise<{ blob: Blob; name: string; count: number } | undefined> {
		return this.busyWith({
			failure: 'Could not make the zip',
			action: async () => {
				const { files, missing } = await this.#keptFiles();
				if (!files.length) {
					this.fail('The selected generations have no kept images to download.');
					return undefined;
				}
				this.report(
					`${files.length} image${files.length === 1 ? '' : 's'} in the zip.` +
						(missing ? ` ${missing} could not be included (not kept in this browser).` : '')
				);
				const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
				return { blob: zipBlob(files), name: `comfy-deck-${stamp}.zip`, count: files.length };
			}
		});
	}

	/** The selected jobs' images kept in this browser, and how many are not. */
	async #keptFiles(): Promise<{ files: ZipInput[]; missing: number }> {
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
		return { files, missing };
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
export async function deleteJobs({
	app,
	ids
}: {
	app: HistoryApp;
	ids: string[];
}): Promise<{ deleted: string[]; freedBytes: number }> {
	const db = await app.db;
	const result = await deleteHistoryJobs(db, ids);
	for (const id of result.deleted) {
		const live = app.jobs.byId[id];
		const server = live && app.servers.find((s) => s.id === live.serverId);
		// The tracker still holds the finished job in memory (and would list it): forget it there too.
		if (server) await (await app.jobs.clientFor(server)).jobs.remove(id);
	}
	app.jobs.announce();
	return result;
}
