import type { JobRecord } from '$lib/comfy';
import type { QueueEntry, QueueSummary } from '$lib/comfy/batch/queue';
import { progressFraction } from '$lib/comfy/job-progress';

/** One item of the browser queue as the Queue view lists it. */
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
	/** 0–1 while on a server, from its job's progress. */
	fraction: number;
	/** The newest live preview while it runs. */
	previewUrl?: string;
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

/** What the rows need of the app's jobs (a narrow view, so tests hand in plain objects). */
export interface BrowserQueueJobs {
	readonly byId: Readonly<Record<string, JobRecord | undefined>>;
	readonly previews: Readonly<Record<string, { url: string } | undefined>>;
}

/**
 * The browser queue's items as rows for the Queue view: pending ones in release order with why each waits, those
 * on a server with their job's progress and latest preview, and the most recent finished ones.
 */
export function browserQueueRows({
	entries,
	reasons,
	jobs,
	serverNames,
	recent = 10
}: {
	entries: readonly QueueEntry[];
	reasons: ReadonlyMap<string, string>;
	jobs: BrowserQueueJobs;
	/** Server id → its name in Settings. */
	serverNames: ReadonlyMap<string, string>;
	recent?: number;
}): BrowserQueueRows {
	const pending: BrowserQueueRow[] = [];
	const inFlight: BrowserQueueRow[] = [];
	const finished: BrowserQueueRow[] = [];
	for (const entry of entries) {
		const row = rowOf(entry, reasons, jobs, serverNames);
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

function rowOf(
	entry: QueueEntry,
	reasons: ReadonlyMap<string, string>,
	jobs: BrowserQueueJobs,
	serverNames: ReadonlyMap<string, string>
): BrowserQueueRow {
	const templateName = entry.app?.templateName;
	const name = entry.label || templateName || `Item ${entry.id.slice(0, 8)}`;
	const job = entry.promptId ? jobs.byId[entry.promptId] : undefined;
	const serverId = entry.serverId ?? (entry.target.kind === 'server' ? entry.target.serverId : undefined);
	const where = serverId ? (serverNames.get(serverId) ?? 'A removed server') : 'Any free server';
	const onServer = entry.status === 'released' || entry.status === 'running';
	const previewUrl = onServer && entry.promptId ? jobs.previews[entry.promptId]?.url : undefined;
	const fraction = entry.status === 'done' ? 1 : job && onServer ? progressFraction(job) : 0;
	return {
		id: entry.id,
		name,
		...(entry.label && templateName ? { templateName } : {}),
		status: entry.status,
		priority: entry.priority,
		where,
		...(reasons.get(entry.id) ? { reason: reasons.get(entry.id) } : {}),
		...(entry.promptId ? { jobId: entry.promptId } : {}),
		fraction,
		...(previewUrl ? { previewUrl } : {}),
		...(entry.error ? { error: entry.error } : {}),
		returned: entry.attempts.length,
		...(entry.finishedAt !== undefined ? { finishedAt: entry.finishedAt } : {})
	};
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
