import type { JobRecord } from '$lib/comfy';
import type { QueueEntry, QueueSummary } from '$lib/comfy/batch/queue';
import { progressFraction } from '$lib/comfy/job-progress';

/** One item of the browser queue as the Queue view lists it (its job's live progress: `liveProgress`). */
export interface BrowserQueueRow {
	id: string;
	/** What the item is: its label, else its template's name, else a short id. */
	name: string;
	/** The template it came from, when it has a label of its own. */
	templateName?: string;
	status: QueueEntry['status'];
	priority: number;
	/** Where it may run or runs: "Any free server", or a server's name. */
	where: string;
	/** Why it waits, is paused, or is where it is (from the dispatcher). */
	reason?: string;
	/** Set once sent: its job (History opens it). */
	jobId?: string;
	error?: string;
	/** Times it came back from a server (lost there, sent again). */
	returned: number;
	finishedAt?: number;
}

/** The browser queue split as the view shows it. */
export interface BrowserQueueRows {
	/** Waiting or paused, in release order (the order drag and keyboard change). */
	pending: BrowserQueueRow[];
	/** Released or running on a server. */
	inFlight: BrowserQueueRow[];
	/** Done or failed, newest first, at most `recent` of them. */
	finished: BrowserQueueRow[];
	/** How many finished items are not listed. */
	finishedHidden: number;
}

/** What a row's live progress needs of the app's jobs (a narrow view, so tests hand in plain objects). */
export interface BrowserQueueJobs {
	readonly byId: Readonly<Record<string, JobRecord | undefined>>;
	readonly previews: Readonly<Record<string, { url: string } | undefined>>;
}

export interface BrowserQueueRowsInput {
	entries: readonly QueueEntry[];
	reasons: ReadonlyMap<string, string>;
	/** Server id → its name in Settings. */
	serverNames: ReadonlyMap<string, string>;
	recent?: number;
}

/**
 * The browser queue's items as rows for the Queue view: pending ones in release order with why each waits, those
 * on a server, and the most recent finished ones. Reads no job: a job's progress changes many times a second, and
 * only its own row shows it (`liveProgress`), not a rebuild of every row.
 */
export function browserQueueRows(input: BrowserQueueRowsInput): BrowserQueueRows {
	return rowsOf(input, undefined);
}

/**
 * `browserQueueRows` for a view that recomputes it on every change of the queue: an entry unchanged (the queue
 * replaces only the entries it changes), with the same reason and server name, keeps its row object and each
 * list equal to the last one keeps its array, so the view's lists re-render only the rows that changed.
 */
export function createBrowserQueueRows(): (input: BrowserQueueRowsInput) => BrowserQueueRows {
	let last: BrowserQueueRows | undefined;
	const cache = new WeakMap<QueueEntry, BrowserQueueRow>();
	return (input) => {
		const next = rowsOf(input, cache);
		if (last) {
			next.pending = same(last.pending, next.pending);
			next.inFlight = same(last.inFlight, next.inFlight);
			next.finished = same(last.finished, next.finished);
		}
		last = next;
		return next;
	};
}

function same<T>(before: T[], after: T[]): T[] {
	return before.length === after.length && before.every((row, i) => row === after[i]) ? before : after;
}

function rowsOf(
	{ entries, reasons, serverNames, recent = 10 }: BrowserQueueRowsInput,
	cache: WeakMap<QueueEntry, BrowserQueueRow> | undefined
): BrowserQueueRows {
	const pending: BrowserQueueRow[] = [];
	const inFlight: BrowserQueueRow[] = [];
	const finished: BrowserQueueRow[] = [];
	for (const entry of entries) {
		const reason = reasons.get(entry.id) || undefined;
		const where = whereOf(entry, serverNames);
		let row = cache?.get(entry);
		if (!row || row.reason !== reason || row.where !== where) {
			row = rowOf(entry, reason, where);
			cache?.set(entry, row);
		}
		if (entry.status === 'waiting' || entry.status === 'paused') pending.push(row);
		else if (entry.status === 'released' || entry.status === 'running') inFlight.push(row);
		else finished.push(row);
	}
	finished.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
	return {
		pending,
		inFlight,
		finished: finished.slice(0, recent),
		finishedHidden: Math.max(0, finished.length - recent)
	};
}

function whereOf(entry: QueueEntry, serverNames: ReadonlyMap<string, string>): string {
	const serverId = entry.serverId ?? (entry.target.kind === 'server' ? entry.target.serverId : undefined);
	return serverId ? (serverNames.get(serverId) ?? 'A removed server') : 'Any free server';
}

function rowOf(entry: QueueEntry, reason: string | undefined, where: string): BrowserQueueRow {
	const templateName = entry.app?.templateName;
	const name = entry.label || templateName || `Item ${entry.id.slice(0, 8)}`;
	return {
		id: entry.id,
		name,
		...(entry.label && templateName ? { templateName } : {}),
		status: entry.status,
		priority: entry.priority,
		where,
		...(reason ? { reason } : {}),
		...(entry.promptId ? { jobId: entry.promptId } : {}),
		...(entry.error ? { error: entry.error } : {}),
		returned: entry.attempts.length,
		...(entry.finishedAt !== undefined ? { finishedAt: entry.finishedAt } : {})
	};
}

/** A row's live state from its job: 0–1 progress while on a server (1 once done), and the newest preview. */
export function liveProgress({
	row,
	jobs
}: {
	row: Pick<BrowserQueueRow, 'status' | 'jobId'>;
	jobs: BrowserQueueJobs;
}): { fraction: number; previewUrl?: string } {
	if (row.status === 'done') return { fraction: 1 };
	const onServer = row.status === 'released' || row.status === 'running';
	if (!onServer || !row.jobId) return { fraction: 0 };
	const job = jobs.byId[row.jobId];
	const previewUrl = jobs.previews[row.jobId]?.url;
	return { fraction: job ? progressFraction(job) : 0, ...(previewUrl ? { previewUrl } : {}) };
}

/** The jobs of the items on a server (released or running), whose progress the tab title sums. */
export function inFlightJobIds(entries: readonly QueueEntry[]): string[] {
	return entries.flatMap((e) =>
		e.promptId && (e.status === 'released' || e.status === 'running') ? [e.promptId] : []
	);
}

/**
 * The tab title's prefix while the queue has work: `[3/8 · 42%]` (finished of all, and the share of the work done,
 * counting items on a server by their progress); empty when nothing is waiting or on a server.
 * @param inFlightProgress the summed 0–1 progress of the items on a server.
 */
export function queueTitlePrefix({
	summary,
	inFlightProgress
}: {
	summary: QueueSummary;
	inFlightProgress: number;
}): string {
	if (summary.waiting + summary.inFlight === 0) return '';
	const finished = summary.done + summary.failed;
	const counted = summary.total - summary.paused;
	const percent = counted > 0 ? Math.floor(((finished + inFlightProgress) / counted) * 100) : 0;
	return `[${finished}/${summary.total} · ${percent}%]`;
}

const PREFIX = /^\[\d+\/\d+ · \d+%\] /;

/** `title` with `prefix` in front (an older prefix replaced), or without one when `prefix` is empty. */
export function withTitlePrefix(title: string, prefix: string): string {
	const base = title.replace(PREFIX, '');
	return prefix ? `${prefix} ${base}` : base;
}
