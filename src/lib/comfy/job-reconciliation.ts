/**
 * Reconciliation: asking the server over REST what became of a job, one check per job at a time, and settling
 * the record from its answer. The rules are in `README.md` under "How jobs stay found"; `decideFromServer` holds
 * them, the rest only asks and applies.
 */
import { ComfyHttpError, ComfyJobLostError, ComfyJobRemovedError } from './errors';
import { imagesOfOutputs, isForward, outputsOfHistory, readServerView, textsOfOutputs } from './job-events';
import type { ServerView } from './job-events';
import { isTerminal, type JobImage, type JobRecord } from './job-store';
import type { JobTrackerContext } from './job-tracker-context';
import { errorMessage } from '../util/error-message';
import type { NodeOutput } from './schemas';

/** True for a job the server should be asked about: unfinished and sent at least once, or timed out. */
export function needsReconcile(job: JobRecord): boolean {
	if (job.status === 'pending') return job.attempts > 0;
	if (job.status === 'failed' && job.error?.kind === 'timeout') return true;
	return !isTerminal(job.status);
}

/**
 * True when the socket showed the job run to its end: every node of the prompt finished (or was cached) and the
 * `executed` messages named what it made. A restart before REST confirmed it forgets the job, not its files.
 */
export function endedOnSocket(job: JobRecord): boolean {
	const progress = job.progress;
	const finished = !!progress && progress.nodesTotal > 0 && progress.nodesDone >= progress.nodesTotal;
	return finished && (job.outputs.length > 0 || !!job.texts);
}

/** What to do with a job after the server's answer about it. */
export type ReconcileDecision =
	/** One "unknown" can be a job moving from queue to history: ask once more in a moment. */
	| { kind: 'ask-again' }
	/** The job was cancelled from here before it ran: it ends `interrupted`. */
	| { kind: 'cancelled' }
	/** Deleted or cleared from the queue while the socket that saw it stayed open: `interrupted`, not lost. */
	| { kind: 'removed' }
	/**
	 * The server forgot a job the socket saw end with its outputs named (a restart right after it ran): it succeeds
	 * with those outputs once they are fetched from the server's disk, and is `lost` only if they cannot be.
	 */
	| { kind: 'ended-on-socket' }
	/** The server forgot it (a restart): `lost`, and it can be resubmitted. */
	| { kind: 'lost' }
	/** A send the server never confirmed and does not know: it never got it. `lost` too, said so. */
	| { kind: 'not-received' }
	/** The server has it: the record moves to `status` when `move` (never backwards, but a timed-out job revives). */
	| { kind: 'adopted'; status: 'queued' | 'running'; move: boolean }
	/** It ended: the record takes the server's outcome. */
	| { kind: 'finished' };

/**
 * The decision for `job` from the server's view of it. `unknownAnswersInARow` counts this answer; `seenOnOpenSocket`
 * is true when the socket is open and is the connection during which the server last showed the job.
 */
export function decideFromServer(options: {
	job: JobRecord;
	view: ServerView;
	unknownAnswersInARow: number;
	seenOnOpenSocket: boolean;
}): ReconcileDecision {
	const { job, view } = options;
	switch (view.kind) {
		case 'unknown':
			// Not for a job we asked the server to drop. A send never confirmed gets the second ask too: the page may
			// have reloaded while the server was still validating the POST, and queues it a moment later.
			if (options.unknownAnswersInARow < 2 && !job.cancelRequested) {
				return { kind: 'ask-again' };
			}
			// It ran to the end (a late cancel did not stop it): what it made is on the server's disk.
			if (endedOnSocket(job)) return { kind: 'ended-on-socket' };
			if (job.cancelRequested) return { kind: 'cancelled' };
			if (job.status === 'queued' && options.seenOnOpenSocket) return { kind: 'removed' };
			return job.status === 'pending' ? { kind: 'not-received' } : { kind: 'lost' };
		case 'queued':
			return {
				kind: 'adopted',
				status: 'queued',
				move: job.status !== 'queued' && isForward(job.status, 'queued')
			};
		case 'running':
			return { kind: 'adopted', status: 'running', move: job.status !== 'running' };
		case 'done':
			return { kind: 'finished' };
	}
}

/** The record of a job the server says ended, with its outputs (undefined: keep what the socket brought). */
export function finishedRecord(options: {
	job: JobRecord;
	view: Extract<ServerView, { kind: 'done' }>;
	outputs: Record<string, NodeOutput> | undefined;
	now: number;
}): JobRecord {
	const { job, view, outputs } = options;
	const nodesTotal = Object.keys(job.workflow).length;
	return {
		...job,
		status: view.status,
		position: undefined,
		outputs: outputs ? imagesOfOutputs(outputs) : job.outputs,
		texts: outputs ? textsOfOutputs(outputs) : job.texts,
		error: view.error,
		progress:
			view.status === 'succeeded'
				? { ...job.progress, nodesDone: nodesTotal, nodesTotal, cachedNodes: job.progress?.cachedNodes ?? 0 }
				: job.progress,
		timings: {
			...job.timings,
			started: job.timings.started ?? view.started,
			finished: view.finished ?? options.now
		}
	};
}

/** Delay of the n-th look for an end the socket announced but REST does not show yet (history not written). */
export function confirmDelayMs(tries: number): number {
	return Math.min(250 * 2 ** tries, 4_000);
}

const CONFIRM_TRIES = 8;

export function createReconciler(options: {
	context: JobTrackerContext;
	/** Silence after which a job that ended unheard on an open socket means the server stopped talking to us. */
	checkAfterMs: number;
	/** Called after a reconciliation of all jobs (queue positions may have changed). */
	afterAll: () => void;
}) {
	const { context, checkAfterMs } = options;
	const { api, socket, registry, logger, now } = context;

	/** The socket says the job ended: confirm it over REST after `delayMs`, and keep looking until REST agrees. */
	function scheduleConfirm(id: string, delayMs: number) {
		const runtime = registry.runtimeOf(id);
		runtime.socketSaidEnded = true;
		clearTimeout(runtime.confirmEndTimer);
		runtime.confirmEndTimer = setTimeout(() => {
			runtime.confirmEndTimer = undefined;
			void reconcileOne(id);
		}, delayMs);
	}

	function retryConfirm(id: string) {
		const runtime = registry.runtimeOf(id);
		if (!runtime.socketSaidEnded || runtime.confirmEndTries >= CONFIRM_TRIES) return;
		runtime.confirmEndTries++;
		scheduleConfirm(id, confirmDelayMs(runtime.confirmEndTries));
	}

	/** Checks one job; a request while a check or the POST is in flight runs once more after it. */
	function reconcileOne(id: string): Promise<void> {
		const runtime = registry.runtimeOf(id);
		if (runtime.reconciliation || runtime.submitting) {
			runtime.reconcileAgain = true;
			return runtime.reconciliation ?? Promise.resolve();
		}
		const job = registry.get(id);
		if (!job || !needsReconcile(job)) return Promise.resolve();
		runtime.reconciliation = checkWithServer(id).finally(() => {
			runtime.reconciliation = undefined;
			if (runtime.reconcileAgain && !runtime.submitting) {
				runtime.reconcileAgain = false;
				void reconcileOne(id);
			}
		});
		return runtime.reconciliation;
	}

	async function reconcileAll(reason: string) {
		const ids = registry
			.all()
			.filter(needsReconcile)
			.map((job) => job.id);
		if (!ids.length) return;
		logger?.info('jobs', `${reason}: reconciling ${ids.length} unfinished job(s)`);
		await Promise.all(ids.map((id) => reconcileOne(id)));
		options.afterAll();
	}

	async function checkWithServer(id: string): Promise<void> {
		const runtime = registry.runtimeOf(id);
		runtime.lastServerCheckAt = now();
		let view: ServerView;
		try {
			view = readServerView(await api.getJob({ promptId: id }));
		} catch (error) {
			runtime.failedChecksInARow++;
			logger?.warn('jobs', `could not check job ${id}: ${errorMessage(error)}`);
			return;
		}
		runtime.failedChecksInARow = 0;
		const job = registry.get(id);
		if (!job || !needsReconcile(job)) return;
		runtime.unknownAnswersInARow = view.kind === 'unknown' ? runtime.unknownAnswersInARow + 1 : 0;
		const decision = decideFromServer({
			job,
			view,
			unknownAnswersInARow: runtime.unknownAnswersInARow,
			seenOnOpenSocket: socket.state === 'open' && runtime.seenOnConnection === context.connections
		});
		switch (decision.kind) {
			case 'ask-again':
				setTimeout(() => void reconcileOne(id), 1_000);
				return;
			case 'cancelled':
				registry.fail(
					id,
					{ kind: 'interrupted', message: 'The job was cancelled before it ran.' },
					'interrupted'
				);
				return;
			case 'removed': {
				const removed = new ComfyJobRemovedError({ promptId: id });
				registry.fail(
					id,
					{ kind: 'interrupted', message: removed.message, hint: removed.hint },
					'interrupted'
				);
				return;
			}
			case 'lost':
			case 'not-received': {
				const received = decision.kind === 'lost';
				const lost = new ComfyJobLostError({ promptId: id, received });
				registry.fail(
					id,
					{ kind: 'lost', message: lost.message, hint: lost.hint, ...(received ? {} : { received }) },
					'lost'
				);
				return;
			}
			case 'ended-on-socket':
				await finishFromSocket(id);
				return;
			case 'adopted':
				runtime.seenOnConnection = context.connections;
				if (decision.move) {
					runtime.lastSignOfLifeAt = now();
					registry.update(adoptedRecord(job, view, now()));
				}
				retryConfirm(id);
				return;
			case 'finished':
				if (view.kind === 'done') await finish(id, view);
		}
	}

	async function finish(id: string, view: Extract<ServerView, { kind: 'done' }>) {
		let outputs = view.outputs;
		if (!outputs && view.status === 'succeeded') {
			try {
				outputs = outputsOfHistory(await api.getHistoryEntry({ promptId: id }));
			} catch (error) {
				logger?.warn('jobs', `could not read the outputs of ${id}: ${errorMessage(error)}`);
				return;
			}
		}
		const current = registry.get(id);
		if (!current) return;
		const runtime = registry.runtimeOf(id);
		if (
			socket.state === 'open' &&
			!isTerminal(current.status) &&
			now() - runtime.lastSignOfLifeAt > checkAfterMs
		) {
			// It ended without a word on an open socket: the server may have stopped talking to this client id.
			logger?.warn(
				'jobs',
				`job ${id} ended without any message on the open socket: reconnecting with a new client id`
			);
			socket.reconnect({ renewClientId: true });
		}
		registry.update(finishedRecord({ job: current, view, outputs, now: now() }));
	}

	/**
	 * Settles a job the server forgot after the socket saw it end: each file the `executed` messages named is fetched
	 * (`/view` serves it from disk after a restart). It succeeds with them; a saved file the server no longer has
	 * makes it `lost`, saying which. A preview (`temp`, emptied by a restart) that is gone is left out. When the
	 * server cannot be reached the job stays as it is, for the next reconciliation.
	 */
	async function finishFromSocket(id: string) {
		const job = registry.get(id);
		if (!job) return;
		const kept: JobImage[] = [];
		const missing: string[] = [];
		for (const image of job.outputs) {
			try {
				await api.view({ filename: image.filename, subfolder: image.subfolder, type: image.type });
				kept.push(image);
			} catch (error) {
				// Only a 404 says the file is gone; anything else (down, 500) says nothing about it yet.
				if (!(error instanceof ComfyHttpError) || error.status !== 404) {
					logger?.warn('jobs', `could not fetch the outputs of ${id}: ${errorMessage(error)}`);
					return;
				}
				if (image.type === 'output') missing.push(image.filename);
			}
		}
		const current = registry.get(id);
		if (!current || !needsReconcile(current)) return;
		if (missing.length > 0 || (kept.length === 0 && !current.texts)) {
			const lost = new ComfyJobLostError({ promptId: id });
			const files = missing.length > 0 ? missing : job.outputs.map((image) => image.filename);
			registry.fail(
				id,
				{
					kind: 'lost',
					message: `The server restarted before it confirmed job ${id}, and its files (${files.join(', ')}) could not be fetched from it.`,
					hint: lost.hint
				},
				'lost'
			);
			return;
		}
		logger?.info(
			'jobs',
			`job ${id} ended on the socket before the server forgot it: its outputs are on disk`
		);
		registry.update(
			finishedRecord({
				job: { ...current, outputs: kept },
				view: { kind: 'done', status: 'succeeded' },
				outputs: undefined,
				now: now()
			})
		);
	}

	return { reconcileOne, reconcileAll, scheduleConfirm };
}

function adoptedRecord(job: JobRecord, view: ServerView, now: number): JobRecord {
	if (view.kind === 'queued')
		return { ...job, status: 'queued', number: view.number ?? job.number, error: undefined };
	return {
		...job,
		status: 'running',
		position: undefined,
		error: undefined,
		timings: { ...job.timings, started: job.timings.started ?? now }
	};
}
