/**
 * The jobs one tracker knows, their runtime bookkeeping, and how changes reach listeners and the store. Every
 * change goes through `update`, which saves what matters (in order, per job) and tells the listeners.
 */
import { ComfyAbortError, ComfyError } from './errors';
import type { PreviewEvent } from './events';
import { newRuntime, type JobRuntime } from './job-events';
import { isTerminal, type JobError, type JobRecord, type JobStore } from './job-store';
import type { Logger } from './logger';
import { errorMessage } from '../util/error-message';

/** A change to one job. `preview` is set when the change is a new preview image. */
export interface JobChange {
	kind: 'added' | 'updated' | 'removed';
	job: JobRecord;
	previous?: JobRecord;
	preview?: PreviewEvent;
}

/** What the tracker knows about a job beyond its record; never saved. */
export interface TrackedRuntime extends JobRuntime {
	/** When the socket or the queue last showed the job alive (a message about it, a queue change): the watchdog's clock. */
	lastSignOfLifeAt: number;
	/** When the server was last asked about the job over REST (0: never). */
	lastServerCheckAt: number;
	/** True while `submit` sends the POST: reconciliations wait until it settles. */
	submitting: boolean;
	/** Aborts the POST in flight (cancel, or the caller's signal). */
	submitController?: AbortController;
	/** REST answers in a row that did not know the job; one alone can be a job moving from queue to history. */
	unknownAnswersInARow: number;
	/** REST checks in a row that got no answer (the server is down): polling while the socket is down backs off. */
	failedChecksInARow: number;
	/** The REST check in flight, so concurrent requests share it. */
	reconciliation?: Promise<void>;
	/** A check was asked for while a check or the POST was in flight: run one more once it settles. */
	reconcileAgain: boolean;
	/** Fires the REST check that confirms an end the socket announced. */
	confirmEndTimer?: ReturnType<typeof setTimeout>;
	/** How many times that confirmation found the job not yet finished over REST (history is written late). */
	confirmEndTries: number;
	/** The socket said the job ended: keep asking REST (with backoff) until it shows the end. */
	socketSaidEnded: boolean;
	/** When the record was last saved (progress is saved at most once a second). */
	lastSavedAt: number;
	/** Saves a change that was not worth saving at once, if no other save came first. */
	saveLaterTimer?: ReturnType<typeof setTimeout>;
	/** The socket connection during which the server last showed it had the job (see `JobTrackerContext.connections`). */
	seenOnConnection?: number;
}

/** How long a change that need not be saved at once may wait for the next save (and the most it lags). */
export const SAVE_AT_MOST_EVERY_MS = 1_000;

/**
 * Whether a change must be saved at once: what a reload, a dropped socket or a server restart needs to settle the
 * job (a new job, its end, what it made, its error, a send again, a cancel). Progress, the queue position and the
 * step from queued to running are not: a reload asks the server where an unfinished job is anyway, and decides the
 * same from `queued` as from `running` (`decideFromServer`). Nor is the first send's count while the job is
 * still pending: a stored pending job with no attempt is taken as maybe sent (`JobTracker.load`). Those wait for
 * the next save, at most a second (`isWorthSaving`).
 */
export function mustSaveAtOnce(previous: JobRecord | undefined, next: JobRecord): boolean {
	if (!previous) return true;
	const firstSend =
		next.status === 'pending' &&
		previous.status === 'pending' &&
		previous.attempts === 0 &&
		next.attempts === 1;
	const startedRunning = previous.status === 'queued' && next.status === 'running';
	return (
		(previous.status !== next.status && !startedRunning) ||
		previous.outputs.length !== next.outputs.length ||
		previous.texts !== next.texts ||
		previous.partialErrors !== next.partialErrors ||
		previous.error !== next.error ||
		(previous.attempts !== next.attempts && !firstSend) ||
		previous.cancelRequested !== next.cancelRequested ||
		previous.resubmittedAs !== next.resubmittedAs
	);
}

/** Changes that must be saved at once are; the others at most once a second (the registry saves what waited). */
export function isWorthSaving(options: {
	previous: JobRecord | undefined;
	next: JobRecord;
	lastSavedAt: number;
	now: number;
}): boolean {
	return (
		mustSaveAtOnce(options.previous, options.next) ||
		options.now - options.lastSavedAt >= SAVE_AT_MOST_EVERY_MS
	);
}

export interface JobRegistryOptions {
	store: JobStore;
	logger?: Logger;
	now: () => number;
	/** Called after every update and addition (the tracker's ticker and the running prompt follow the jobs). */
	afterUpdate: (job: JobRecord) => void;
}

export type JobRegistry = ReturnType<typeof createJobRegistry>;

export function createJobRegistry(options: JobRegistryOptions) {
	const { store, logger, now, afterUpdate } = options;
	const jobs = new Map<string, JobRecord>();
	const runtimes = new Map<string, TrackedRuntime>();
	const listeners = new Set<(change: JobChange) => void>();
	const writes = new Map<string, Promise<void>>();

	function runtimeOf(id: string): TrackedRuntime {
		let runtime = runtimes.get(id);
		if (!runtime) {
			runtime = {
				...newRuntime(),
				lastSignOfLifeAt: now(),
				lastServerCheckAt: 0,
				submitting: false,
				unknownAnswersInARow: 0,
				failedChecksInARow: 0,
				reconcileAgain: false,
				confirmEndTries: 0,
				socketSaidEnded: false,
				lastSavedAt: 0
			};
			runtimes.set(id, runtime);
		}
		return runtime;
	}

	function emit(change: JobChange) {
		for (const listener of listeners) {
			try {
				listener(change);
			} catch (error) {
				logger?.error('jobs', 'a job listener threw', errorMessage(error));
			}
		}
	}

	/** Persists writes of one job in order; failures are logged (the in-memory state stays right). */
	function persist(record: JobRecord): Promise<void> {
		const previous = writes.get(record.id) ?? Promise.resolve();
		const next = previous
			.then(() => store.put(record))
			.catch((error: unknown) => {
				logger?.error('jobs', `could not save job ${record.id}`, errorMessage(error));
			});
		writes.set(record.id, next);
		void next.then(() => {
			if (writes.get(record.id) === next) writes.delete(record.id);
		});
		return next;
	}

	function noted(record: JobRecord): boolean {
		try {
			return store.journal?.(record) ?? false;
		} catch (error) {
			logger?.warn('jobs', `could not note job ${record.id} in the journal`, errorMessage(error));
			return false;
		}
	}

	function save(record: JobRecord, runtime: TrackedRuntime) {
		clearTimeout(runtime.saveLaterTimer);
		runtime.saveLaterTimer = undefined;
		runtime.lastSavedAt = now();
		void persist(record);
	}

	/** A change left unsaved is saved within a second, with whatever came after it, unless a save comes first. */
	function saveLater(id: string, runtime: TrackedRuntime) {
		if (runtime.saveLaterTimer !== undefined) return;
		const wait = Math.max(0, runtime.lastSavedAt + SAVE_AT_MOST_EVERY_MS - now());
		runtime.saveLaterTimer = setTimeout(() => {
			runtime.saveLaterTimer = undefined;
			const job = jobs.get(id);
			if (job && runtimes.get(id) === runtime) save(job, runtime);
		}, wait);
	}

	function update(next: JobRecord, extra: { preview?: PreviewEvent } = {}) {
		const previous = jobs.get(next.id);
		jobs.set(next.id, next);
		const runtime = runtimeOf(next.id);
		if (isWorthSaving({ previous, next, lastSavedAt: runtime.lastSavedAt, now: now() })) save(next, runtime);
		else saveLater(next.id, runtime);
		if (previous?.status !== next.status) {
			logger?.info('jobs', `job ${next.id} ${previous ? `${previous.status} → ` : ''}${next.status}`);
		}
		emit({ kind: previous ? 'updated' : 'added', job: next, previous, ...extra });
		if (isTerminal(next.status)) clearTimeout(runtime.confirmEndTimer);
		afterUpdate(next);
	}

	function subscribe(listener: (change: JobChange) => void): () => void {
		listeners.add(listener);
		return () => listeners.delete(listener);
	}

	return {
		get: (id: string) => jobs.get(id),
		has: (id: string) => jobs.has(id),
		/** Every job, in the order they became known. */
		all: () => [...jobs.values()],
		/** Every job, oldest first. */
		list: () => [...jobs.values()].sort((older, newer) => older.timings.created - newer.timings.created),
		runtimeOf,
		emit,
		persist,
		update,
		patch(id: string, changes: Partial<JobRecord>) {
			const job = jobs.get(id);
			if (job) update({ ...job, ...changes });
		},
		/** Ends a job with `error` (`failed` unless told otherwise). */
		fail(id: string, error: JobError, status: 'failed' | 'lost' | 'interrupted' = 'failed') {
			const job = jobs.get(id);
			if (!job) return;
			update({ ...job, status, error, position: undefined, timings: { ...job.timings, finished: now() } });
		},
		/**
		 * Registers a new job and saves it before anything is sent (messages that beat the POST answer find it): noted
		 * in the store's journal at once when it has one (the write then runs while the prompt is sent; if it fails,
		 * the note brings the job back on the next load), else written first. Throws when it cannot be saved, and then
		 * forgets it. `stored`: the caller wrote it already (nothing is written or noted).
		 */
		async add(record: JobRecord, { stored = false }: { stored?: boolean } = {}): Promise<TrackedRuntime> {
			const runtime = runtimeOf(record.id);
			jobs.set(record.id, record);
			runtime.lastSavedAt = now();
			if (stored) {
				// Saved by the caller: a write here would only repeat it.
			} else if (noted(record)) void persist(record);
			else {
				try {
					await store.put(record);
				} catch (error) {
					jobs.delete(record.id);
					runtimes.delete(record.id);
					throw new ComfyError(`Could not save the job before sending it: ${errorMessage(error)}`, {
						hint: 'The browser storage may be full or disabled.',
						cause: error
					});
				}
			}
			emit({ kind: 'added', job: record });
			afterUpdate(record);
			return runtime;
		},
		/** Takes a stored job back (page load) unless it is already known; true when it was new. */
		restore(record: JobRecord): boolean {
			if (jobs.has(record.id)) return false;
			jobs.set(record.id, record);
			runtimeOf(record.id);
			emit({ kind: 'added', job: record });
			return true;
		},
		/** Forgets a job, in memory and in the store (after its pending writes). */
		async forget(id: string): Promise<void> {
			const job = jobs.get(id);
			jobs.delete(id);
			clearTimeout(runtimes.get(id)?.confirmEndTimer);
			clearTimeout(runtimes.get(id)?.saveLaterTimer);
			runtimes.delete(id);
			await (writes.get(id) ?? Promise.resolve());
			await store.delete(id);
			if (job) emit({ kind: 'removed', job });
		},
		subscribe,
		/** Resolves with the job once it reached a final state (a timed-out job may still end for real). */
		waitForEnd(id: string, signal: AbortSignal | undefined): Promise<JobRecord> {
			return new Promise<JobRecord>((resolve, reject) => {
				const job = jobs.get(id);
				if (!job) return reject(new ComfyError(`No job ${id}.`));
				if (isTerminal(job.status) && job.error?.kind !== 'timeout') return resolve(job);
				const stop = subscribe((change) => {
					if (change.job.id !== id || !isTerminal(change.job.status)) return;
					const previous = change.previous;
					if (previous && isTerminal(previous.status) && previous.status === change.job.status) return;
					cleanup();
					resolve(change.job);
				});
				const onAbort = () => {
					cleanup();
					reject(new ComfyAbortError('Waiting for the job', signal?.reason));
				};
				const cleanup = () => {
					stop();
					signal?.removeEventListener('abort', onAbort);
				};
				if (signal?.aborted) return onAbort();
				signal?.addEventListener('abort', onAbort, { once: true });
			});
		},
		/** Stops every pending confirmation timer and saves what waited to be saved (the tracker closes). */
		clearTimers() {
			for (const [id, runtime] of runtimes) {
				clearTimeout(runtime.confirmEndTimer);
				const job = jobs.get(id);
				if (runtime.saveLaterTimer !== undefined && job) save(job, runtime);
			}
		}
	};
}
