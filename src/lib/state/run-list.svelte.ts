import { isTerminal, type JobRecord } from '$lib/comfy';
import { progressFraction } from '$lib/comfy/job-progress';
import type { DeckDb } from '$lib/storage/db';
import { getJob, listJobsOfTemplate, type StoredJob } from '$lib/storage/jobs';
import type { QueueEntry } from '$lib/comfy/batch';
import { thumbHashOf } from '$lib/storage/history-kinds';
import type { AppState } from './app.svelte';
import { mergeChangedRuns } from './run-merge';

/** `waiting`: in the browser's own queue, not sent to a server yet. */
export type RunStatus = 'waiting' | JobRecord['status'];

/** One run of the form as the run list shows it. */
export interface RunRow {
	/** The job's prompt id, or the browser-queue item's id while it waits there. */
	id: string;
	/** Set once it is a job on a server (History opens it). */
	jobId?: string;
	/** What sets it apart (`CFG 5.5 · Seed 101` for a batch item), else empty. */
	label: string;
	status: RunStatus;
	/** 0–1. */
	fraction: number;
	createdAt: number;
	serverId?: string;
	/** The first kept output, for the thumbnail. */
	thumbHash?: string;
	/** The newest live preview while it runs. */
	previewUrl?: string;
	groupId?: string;
}

/**
 * What the list needs of the app's jobs (a narrow view, so tests can hand in plain objects). The rows are derived
 * from it: in the app `byId` and `previews` are state, so a change shows.
 */
export interface RunListJobs {
	readonly byId: Readonly<Record<string, (JobRecord & { serverId: string }) | undefined>>;
	readonly previews: Readonly<Record<string, { url: string } | undefined>>;
	/** The history's version (the app's `JobsState`): with `changesSince`, a change reads only its own jobs. */
	readonly historyVersion?: number;
	/** The jobs changed after a version, or null when not known (read everything again). */
	changesSince?(version: number): readonly string[] | null;
}

/** An item of this form in the browser queue. `promptId` is set once it was sent (it is a job from then on). */
export interface WaitingRun {
	id: string;
	label?: string;
	createdAt: number;
	groupId?: string;
	promptId?: string;
}

/** A status that may still change: the run can be cancelled. */
export function isActive(status: RunStatus): boolean {
	return status === 'waiting' || !isTerminal(status);
}

/** Labels compared as people read them: "Run 9" before "Run 10". */
const LABEL_ORDER = new Intl.Collator(undefined, { numeric: true });

const ACTIVE_ORDER: Record<RunStatus, number> = {
	running: 0,
	pending: 1,
	queued: 1,
	waiting: 2,
	succeeded: 3,
	failed: 3,
	interrupted: 3,
	lost: 3
};

/**
 * Every run a template's form started, not only the newest: the jobs of the template kept in IndexedDB (so the list
 * survives a reload) with their live status over the stored one, and the form's items still waiting in the browser
 * queue. Cancel acts on exactly the run it is given.
 */
export class RunListState {
	#stored = $state.raw<StoredJob[]>([]);
	#templateId: string;
	#db: Promise<DeckDb>;
	#jobs: RunListJobs;
	#waiting: () => WaitingRun[];
	#cancelJob: (job: { id: string; serverId: string }) => Promise<void>;
	#removeWaiting: (ids: string[]) => void;
	#limit: number;
	// One read at a time; a change meanwhile reads once more when it ends (a batch finishing is many changes).
	#loading: Promise<void> | undefined;
	#again = false;
	// The history version the stored runs reflect (undefined: not read yet).
	#version: number | undefined;

	/**
	 * @param options.limit finished runs shown at most (unfinished ones always are).
	 * @param options.cancelJob deletes a job from its server's queue, or interrupts it when it is the one running.
	 * @param options.waiting the form's items in the browser queue, read inside the rows' `$derived`: it must read
	 *   state (the queue's `entries` are), or the rows would not follow it.
	 */
	constructor(options: {
		templateId: string;
		db: Promise<DeckDb>;
		jobs: RunListJobs;
		cancelJob: (job: { id: string; serverId: string }) => Promise<void>;
		waiting?: () => WaitingRun[];
		removeWaiting?: (ids: string[]) => void;
		limit?: number;
	}) {
		this.#templateId = options.templateId;
		this.#db = options.db;
		this.#jobs = options.jobs;
		this.#cancelJob = options.cancelJob;
		this.#waiting = options.waiting ?? (() => []);
		this.#removeWaiting = options.removeWaiting ?? (() => undefined);
		this.#limit = options.limit ?? 50;
	}

	get templateId(): string {
		return this.#templateId;
	}

	// Derived, not rebuilt per read: a render reads the rows and the counts, and a Generate press re-renders the list
	// several times. They follow the stored runs, the live jobs and the browser queue (all state in the app).
	#runs = $derived.by(() => this.#rows());
	#counts = $derived.by(() => countRuns(this.#runs));

	/** Running first, then queued, then waiting in the browser, then finished; newest first within each. */
	get runs(): RunRow[] {
		return this.#runs;
	}

	/** How many runs are in each state (the list's summary line). */
	get counts(): RunCounts {
		return this.#counts;
	}

	/**
	 * Reads the template's jobs from IndexedDB (call on start and whenever history changed): all of them the first
	 * time and after a change nobody named (another tab, a delete, an import), else only the jobs that changed.
	 */
	load(): Promise<void> {
		if (this.#loading) {
			this.#again = true;
			return this.#loading;
		}
		this.#loading = this.#read().finally(() => {
			this.#loading = undefined;
			if (this.#again) {
				this.#again = false;
				void this.load();
			}
		});
		return this.#loading;
	}

	/** Cancels one run: out of the browser queue while it waits there, else off its server (queued or running). */
	async cancel(id: string): Promise<void> {
		const row = this.runs.find((r) => r.id === id);
		if (!row || !isActive(row.status)) return;
		if (row.status === 'waiting') {
			this.#removeWaiting([id]);
			return;
		}
		if (row.serverId) await this.#cancelJob({ id, serverId: row.serverId });
	}

	async #read(): Promise<void> {
		const version = this.#jobs.historyVersion;
		const since = this.#version;
		// Each full read of a busy template is hundreds of records turned into objects on the main thread: a batch
		// bumps the version several times per run, so only the first read (or an unnamed change) is a full one.
		const ids =
			since === undefined || version === undefined ? null : (this.#jobs.changesSince?.(since) ?? null);
		try {
			const db = await this.#db;
			if (!ids) this.#stored = await listJobsOfTemplate(db, this.#templateId);
			else if (ids.length) {
				const read = await Promise.all(ids.map(async (id) => [id, await getJob(db, id)] as const));
				const changed = new Map(read);
				this.#stored = mergeChangedRuns({ stored: this.#stored, changed, templateId: this.#templateId });
			}
			this.#version = version;
		} catch {
			// The list is a view of history: a failed read leaves what it showed, and the next change reads again
			// (the version stays, so the jobs of this change are read then too).
		}
	}

	#rows(): RunRow[] {
		const rows = new Map<string, RunRow>();
		for (const job of this.#stored) rows.set(job.id, this.#rowOfJob(job));
		// A job started a moment ago may be live before its stored record is read.
		for (const job of Object.values(this.#jobs.byId)) {
			if (job && !rows.has(job.id) && job.metadata?.templateId === this.#templateId)
				rows.set(job.id, this.#rowOfJob(job));
		}
		for (const item of this.#waiting()) {
			const sent = item.promptId ? rows.get(item.promptId) : undefined;
			if (sent) {
				// Its job record may not carry the label (an item restored after a reload): the queue's does.
				if (!sent.label && item.label) sent.label = item.label;
				continue;
			}
			rows.set(item.id, {
				id: item.id,
				label: item.label ?? '',
				status: 'waiting',
				fraction: 0,
				createdAt: item.createdAt,
				...(item.groupId ? { groupId: item.groupId } : {})
			});
		}
		// Runs of a batch released together often share their millisecond: their labels ("Run 2", "x=1 · y=3")
		// then keep them in the batch's own order, newest first like the rest, not in IndexedDB's key order.
		const sorted = [...rows.values()].sort(
			(a, b) =>
				ACTIVE_ORDER[a.status] - ACTIVE_ORDER[b.status] ||
				b.createdAt - a.createdAt ||
				LABEL_ORDER.compare(b.label, a.label)
		);
		let finished = 0;
		return sorted.filter((row) => isActive(row.status) || finished++ < this.#limit);
	}

	#rowOfJob(job: (JobRecord & { serverId: string }) | StoredJob): RunRow {
		const live = this.#jobs.byId[job.id];
		const current = live ?? job;
		const app = 'app' in job ? job.app : undefined;
		// A batch item's label and group ride in the app part as extra fields (the stored schema keeps them).
		const extra: Record<string, unknown> = { ...app };
		const label = typeof extra.label === 'string' ? extra.label : '';
		const groupId = typeof extra.groupId === 'string' ? extra.groupId : undefined;
		const thumbHash = thumbHashOf(app?.images ?? []);
		const previewUrl = current.status === 'running' ? this.#jobs.previews[job.id]?.url : undefined;
		return {
			id: job.id,
			jobId: job.id,
			label,
			status: current.status,
			fraction: current.status === 'succeeded' ? 1 : progressFraction(current),
			createdAt: current.timings.created,
			serverId: current.serverId,
			...(thumbHash ? { thumbHash } : {}),
			...(previewUrl ? { previewUrl } : {}),
			...(groupId ? { groupId } : {})
		};
	}
}

/** How many runs are in each state (the list's summary line). */
export interface RunCounts {
	total: number;
	active: number;
	succeeded: number;
	failed: number;
}

function countRuns(runs: readonly RunRow[]): RunCounts {
	const active = runs.filter((r) => isActive(r.status)).length;
	const succeeded = runs.filter((r) => r.status === 'succeeded').length;
	return { total: runs.length, active, succeeded, failed: runs.length - active - succeeded };
}

/** What the run list needs of the browser queue (the app's `DispatchState`). */
export interface RunListQueue {
	readonly entries: readonly QueueEntry[];
	remove(options: { ids: string[] }): string[];
}

const IN_QUEUE = new Set<QueueEntry['status']>(['waiting', 'paused', 'released', 'running']);

/** The items of a template's form still in the browser queue (or just sent from it). */
export function waitingRunsOf({
	queue,
	templateId
}: {
	queue: RunListQueue;
	templateId: string;
}): WaitingRun[] {
	return queue.entries
		.filter((e) => e.app?.templateId === templateId && IN_QUEUE.has(e.status))
		.map((e) => ({
			id: e.id,
			createdAt: e.createdAt,
			...(e.label ? { label: e.label } : {}),
			...(e.group ? { groupId: e.group.id } : {}),
			...(e.promptId ? { promptId: e.promptId } : {})
		}));
}

/**
 * The run list of a template's form in the app: its jobs and its items in the browser queue, Cancel through each
 * job's own server or out of the queue.
 */
export function runListOfApp({
	app,
	queue,
	templateId
}: {
	app: AppState;
	queue?: RunListQueue;
	templateId: string;
}): RunListState {
	return new RunListState({
		templateId,
		db: app.db,
		jobs: app.jobs,
		cancelJob: async ({ id, serverId }) => {
			const server = app.servers.find((s) => s.id === serverId);
			if (server) await (await app.jobs.clientFor(server)).jobs.cancel(id);
		},
		...(queue
			? {
					waiting: () => waitingRunsOf({ queue, templateId }),
					removeWaiting: (ids: string[]) => void queue.remove({ ids })
				}
			: {})
	});
}
