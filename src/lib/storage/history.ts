/**
 * The history gallery's queries over the `jobs` store: newest first, filtered by template, status, server, date
 * range, tag and text, and fast over 10,000 records (a selective filter reads only its index; the first page is
 * read with a bounded cursor so it shows before the rest is loaded), and deleting jobs with their images. A run's
 * labels (style, tags, note) are in history-labels.ts and the difference between two runs in history-diff.ts; both
 * are re-exported here, so callers import History from one place.
 */
import type { JobStatus } from '$lib/comfy';
import { summarizeRun, type RunSummary } from '$lib/comfy/workflow/run-summary';
import type { DeckDb } from './db';
import { deleteUnreferencedImages, imageHashesOf } from './images';
import { listJobsOfTemplate, readJob, readJobs, type StoredJob } from './jobs';
import { mediaOf, thumbHashOf } from './history-kinds';
import { readNewestJobs } from './history-newest';

export * from './history-diff';
export * from './history-labels';

/** What the gallery can be narrowed by; every field is optional and they combine with AND. */
export interface HistoryFilter {
	templateId?: string;
	status?: string;
	serverId?: string;
	/** Created at or after (ms since epoch). */
	from?: number;
	/** Created at or before (ms since epoch). */
	to?: number;
	tag?: string;
	/** The run's style label, exactly. */
	style?: string;
	/** Words that must all appear (case-insensitive) in the prompts, other parameters, template name, tags or note. */
	text?: string;
}

/** What a gallery card needs of a job: small, so 10,000 of them stay cheap in memory. */
export interface HistoryItem {
	id: string;
	createdAt: number;
	status: JobStatus;
	serverId: string;
	templateId?: string;
	templateName?: string;
	/** Content hash of the first kept image (its thumbnail is in the `images` store). */
	thumbHash?: string;
	imageCount: number;
	tags: string[];
	/** The run's style label. */
	style?: string;
	/** One line about why it failed, when it did. */
	error?: string;
	/** Execution time (started → finished), when known. */
	durationMs?: number;
	/** What the run made besides still images (`video`, `animated`, `audio`, `text`, `other`), for a badge. */
	kinds?: string[];
	/** Seconds of its first video or audio file, when known. */
	mediaSeconds?: number;
	/** What tells it apart on a card: prompt excerpt, seed, size (of its first image when kept), model. */
	summary?: RunSummary;
}

/** The first items, and a function that loads every later match (call it once). */
export interface HistoryPage {
	items: HistoryItem[];
	/** Loads the remaining matches, newest first; undefined when the first page already holds everything. */
	rest?: () => Promise<HistoryItem[]>;
}

/** Values the filter controls offer. */
export interface HistoryFacets {
	templates: { id: string; name: string }[];
	serverIds: string[];
	statuses: string[];
	tags: string[];
	styles: string[];
}

// An index whose key matches at most this many jobs is read whole (then sorted); above it, scanning by date is
// as fast and shows the first page sooner.
const INDEX_READ_MAX = 2_000;
// The first page's cursor reads at most this many records before handing over to a bulk read, so a filter that
// matches little cannot make the first paint wait for a cursor walk over everything.
const FIRST_SCAN_MAX = 400;
// Records per bulk read after the first page.
const READ_CHUNK = 1_000;

/** True when the filter narrows anything. */
export function isFiltered(filter: HistoryFilter): boolean {
	return Object.values(filter).some((v) => v !== undefined && v !== '');
}

/** The card data of a job. */
export function toHistoryItem(job: StoredJob): HistoryItem {
	const images = job.app.images ?? [];
	const started = job.timings?.started;
	const finished = job.timings?.finished;
	const error = job.error ? (job.error.exceptionMessage ?? job.error.message) : undefined;
	return {
		id: job.id,
		createdAt: job.createdAt,
		status: job.status,
		serverId: job.serverId,
		templateId: job.app.templateId,
		templateName: job.app.templateName,
		thumbHash: thumbHashOf(images),
		imageCount: Math.max(images.length, job.outputs?.length ?? 0),
		tags: job.app.tags ?? [],
		...(job.app.style ? { style: job.app.style } : {}),
		...(error ? { error: error.length > 200 ? `${error.slice(0, 200)}…` : error } : {}),
		...(started && finished ? { durationMs: finished - started } : {}),
		...mediaOf(job),
		summary: summaryOf(job)
	};
}

function summaryOf(job: StoredJob): RunSummary {
	const summary = summarizeRun({ workflow: job.workflow ?? {} });
	const first = job.app.images?.find((i) => i.width && i.height);
	return first ? { ...summary, width: first.width, height: first.height } : summary;
}

/** Whether a job matches every given field of the filter. */
export function matchesFilter(job: StoredJob, filter: HistoryFilter): boolean {
	if (filter.templateId && job.app.templateId !== filter.templateId) return false;
	if (filter.status && job.status !== filter.status) return false;
	if (filter.serverId && job.serverId !== filter.serverId) return false;
	if (filter.from !== undefined && job.createdAt < filter.from) return false;
	if (filter.to !== undefined && job.createdAt > filter.to) return false;
	if (filter.tag && !(job.app.tags ?? []).includes(filter.tag)) return false;
	if (filter.style && job.app.style !== filter.style) return false;
	const words = searchWords(filter.text);
	if (words.length) {
		const haystack = searchTextOf(job);
		if (!words.every((w) => haystack.includes(w))) return false;
	}
	return true;
}

function searchWords(text: string | undefined): string[] {
	return (text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The text a search looks in: template name, tags, note, text results (captions, LLM answers), and the run's
 * parameter values (else its workflow's).
 */
function searchTextOf(job: StoredJob): string {
	const parts: string[] = [
		job.app.templateName ?? '',
		job.app.note ?? '',
		job.app.style ?? '',
		...(job.app.tags ?? [])
	];
	for (const values of Object.values(job.texts ?? {})) {
		for (const value of values) parts.push(typeof value === 'string' ? value : JSON.stringify(value));
	}
	const parameters = job.app.parameters;
	if (parameters && Object.keys(parameters).length) {
		for (const value of Object.values(parameters)) {
			if (typeof value === 'string' || typeof value === 'number') parts.push(String(value));
		}
	} else {
		for (const node of Object.values(job.workflow ?? {})) {
			for (const value of Object.values(node?.inputs ?? {})) {
				if (typeof value === 'string') parts.push(value);
			}
		}
	}
	return parts.join('\n').toLowerCase();
}

const newestFirst = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
	b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The jobs matching a filter, newest first (ties by id, descending, as the date index walks backwards).
 * `firstPage` items come back at once; `rest()` loads the others (`chunkSize` records per read).
 */
export async function queryHistory(
	db: DeckDb,
	options: { filter?: HistoryFilter; firstPage?: number; chunkSize?: number } = {}
): Promise<HistoryPage> {
	const filter = options.filter ?? {};
	const firstPage = Math.max(1, options.firstPage ?? 60);
	if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) return { items: [] };

	const selective = await readSelectiveIndex(db, filter);
	if (selective) {
		const matches = selective.filter((job) => matchesFilter(job, filter)).sort(newestFirst);
		const items = matches.map(toHistoryItem);
		return items.length > firstPage
			? { items: items.slice(0, firstPage), rest: async () => items.slice(firstPage) }
			: { items };
	}

	const range = dateRange(filter);
	if (!isFiltered({ ...filter, from: undefined, to: undefined })) {
		// Every record in the date range matches: read the newest in bulk.
		const newest = await readNewestJobs(db, { range, count: firstPage });
		const items = readJobs(db, newest.values).map(toHistoryItem);
		const after = newest.last;
		if (!newest.more || !after) return { items };
		return {
			items,
			rest: () => readOlder(db, { filter, after, chunkSize: options.chunkSize ?? READ_CHUNK })
		};
	}

	// Walk the date index backwards for the first page, reading a bounded number of records.
	const items: HistoryItem[] = [];
	let scanned = 0;
	let last: { createdAt: number; id: string } | undefined;
	const tx = db.transaction('jobs');
	let cursor = await tx.store.index('byCreatedAt').openCursor(range, 'prev');
	while (cursor && items.length < firstPage && scanned < FIRST_SCAN_MAX) {
		const job = readJob(db, cursor.value);
		scanned++;
		// The cursor's own keys, so a skipped record still moves the page on.
		last = { createdAt: cursor.key, id: cursor.primaryKey };
		if (job && matchesFilter(job, filter)) items.push(toHistoryItem(job));
		cursor = await cursor.continue();
	}
	const more = cursor !== null;
	await tx.done.catch(() => undefined);
	if (!more || !last) return { items };
	const after = last;
	return {
		items,
		rest: () => readOlder(db, { filter, after, chunkSize: options.chunkSize ?? READ_CHUNK })
	};
}

/**
 * Every match older than `after`, newest first. Read in chunks (oldest first, by the date index) so no single
 * read blocks the page for long: a browser turns each read's records into objects in one go on the main thread.
 */
async function readOlder(
	db: DeckDb,
	options: { filter: HistoryFilter; after: { createdAt: number; id: string }; chunkSize: number }
): Promise<HistoryItem[]> {
	const { filter, after, chunkSize } = options;
	const items: HistoryItem[] = [];
	const seen = new Set<string>();
	const take = (jobs: StoredJob[]) => {
		for (const job of jobs) {
			if (seen.has(job.id)) continue;
			seen.add(job.id);
			const older = job.createdAt < after.createdAt || job.id < after.id;
			if (older && matchesFilter(job, filter)) items.push(toHistoryItem(job));
		}
	};
	let lower = filter.from ?? -Infinity;
	let lowerOpen = false;
	for (;;) {
		if (lower > after.createdAt || (lower === after.createdAt && lowerOpen)) break;
		const range = IDBKeyRange.bound(lower, after.createdAt, lowerOpen, false);
		const values = await db.getAllFromIndex('jobs', 'byCreatedAt', range, chunkSize);
		take(readJobs(db, values));
		// The last record read, readable or not: it is in the date index, so it has a date.
		const last = values.at(-1);
		if (values.length < chunkSize || !last) break;
		if (last.createdAt === lower && !lowerOpen) {
			// A whole chunk of one time stamp: read that time whole, then go on past it.
			take(readJobs(db, await db.getAllFromIndex('jobs', 'byCreatedAt', IDBKeyRange.only(lower))));
			lowerOpen = true;
		} else {
			// From the last time again (inclusive): jobs of that time may continue in the next chunk.
			lower = last.createdAt;
			lowerOpen = false;
		}
		// Let the page paint (and fetch thumbnails) between chunks.
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
	return items.sort(newestFirst);
}

function dateRange(filter: HistoryFilter): IDBKeyRange | null {
	const { from, to } = filter;
	if (from !== undefined && to !== undefined) return IDBKeyRange.bound(from, to);
	if (from !== undefined) return IDBKeyRange.lowerBound(from);
	if (to !== undefined) return IDBKeyRange.upperBound(to);
	return null;
}

/** Reads the jobs of the most selective indexed filter field, when that index matches few enough jobs. */
async function readSelectiveIndex(db: DeckDb, filter: HistoryFilter): Promise<StoredJob[] | undefined> {
	const candidates = [
		filter.tag ? (['byTag', filter.tag] as const) : undefined,
		filter.style ? (['byStyle', filter.style] as const) : undefined,
		filter.templateId ? (['byTemplate', filter.templateId] as const) : undefined,
		filter.status ? (['byStatus', filter.status] as const) : undefined,
		filter.serverId ? (['byServer', filter.serverId] as const) : undefined
	].filter((c) => c !== undefined);
	if (!candidates.length) return undefined;
	const tx = db.transaction('jobs');
	let best: { index: (typeof candidates)[number][0]; key: string; count: number } | undefined;
	for (const [index, key] of candidates) {
		const count = await tx.store.index(index).count(key);
		if (!best || count < best.count) best = { index, key, count };
	}
	if (!best || best.count > INDEX_READ_MAX) {
		await tx.done;
		return undefined;
	}
	const jobs = readJobs(db, await tx.store.index(best.index).getAll(best.key));
	await tx.done;
	return jobs;
}

/** The templates, servers, statuses and tags present in history, for the filter controls. */
export async function historyFacets(db: DeckDb): Promise<HistoryFacets> {
	const tx = db.transaction('jobs');
	const templates: { id: string; name: string }[] = [];
	// One record per distinct key: cheap however long the history is.
	let cursor = await tx.store.index('byTemplate').openCursor(null, 'prevunique');
	while (cursor) {
		const job = readJob(db, cursor.value);
		templates.push({ id: String(cursor.key), name: job?.app.templateName ?? String(cursor.key) });
		cursor = await cursor.continue();
	}
	const uniqueKeys = async (index: 'byServer' | 'byStatus' | 'byTag' | 'byStyle') => {
		const keys: string[] = [];
		let c = await tx.store.index(index).openKeyCursor(null, 'nextunique');
		while (c) {
			keys.push(String(c.key));
			c = await c.continue();
		}
		return keys;
	};
	const serverIds = await uniqueKeys('byServer');
	const statuses = await uniqueKeys('byStatus');
	const tags = await uniqueKeys('byTag');
	const styles = await uniqueKeys('byStyle');
	await tx.done;
	templates.sort((a, b) => a.name.localeCompare(b.name));
	tags.sort((a, b) => a.localeCompare(b));
	styles.sort((a, b) => a.localeCompare(b));
	return { templates, serverIds, statuses, tags, styles };
}

/** Other runs of the same template, newest first (to compare parameters with). */
export async function runsOfTemplate(
	db: DeckDb,
	options: { templateId: string; limit?: number }
): Promise<HistoryItem[]> {
	const jobs = await listJobsOfTemplate(db, options.templateId);
	return jobs
		.sort(newestFirst)
		.slice(0, options.limit ?? 200)
		.map(toHistoryItem);
}

/**
 * Deletes jobs, the cache entries made from them, then their images unless another job or cache entry still uses
 * them. Returns the ids that were deleted and the bytes freed.
 */
export async function deleteHistoryJobs(
	db: DeckDb,
	ids: Iterable<string>
): Promise<{ deleted: string[]; freedBytes: number }> {
	const wanted = new Set(ids);
	const hashes: string[] = [];
	const deleted: string[] = [];
	const tx = db.transaction(['jobs', 'cache'], 'readwrite');
	for (const id of wanted) {
		const job = await tx.objectStore('jobs').get(id);
		if (!job) continue;
		hashes.push(...imageHashesOf(job));
		await tx.objectStore('jobs').delete(id);
		deleted.push(id);
	}
	// A deleted result must not come back as "from cache" either.
	for (const entry of await tx.objectStore('cache').getAll()) {
		if (!wanted.has(entry.jobId)) continue;
		hashes.push(...entry.imageHashes);
		await tx.objectStore('cache').delete(entry.promptHash);
	}
	await tx.done;
	const freedBytes = await deleteUnreferencedImages(db, hashes);
	return { deleted, freedBytes };
}
