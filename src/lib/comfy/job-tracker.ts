/**
 * The job tracker: the promise that a submitted job is never silently lost (the rules: `README.md`, "How jobs stay
 * found", and docs/decisions/002). This file routes socket events to the parts and holds the public methods.
 */
import type { ComfyApi } from './api';
import type { BackoffOptions } from './backoff';
import { applyMessage } from './job-events';
import { createJobRegistry, type JobChange } from './job-registry';
import { createReconciler } from './job-reconciliation';
import { createMemoryJobStore, isTerminal, type JobRecord, type JobStore } from './job-store';
import type { JobTrackerContext } from './job-tracker-context';
import { createSubmitter, type SubmitOptions } from './job-submission';
import { createWatchdog } from './job-watchdog';
import type { Logger } from './logger';
import { createQueuePositions } from './queue-positions';
import type { WsMessage } from './schemas';
import type { ComfySocket, SocketEvent } from './socket';

export type { JobChange } from './job-registry';
export type { SubmitOptions } from './job-submission';

export interface JobTrackerOptions {
	api: ComfyApi;
	socket: ComfySocket;
	serverUrl: string;
	store?: JobStore;
	logger?: Logger;
	/** Check a job over REST after this much silence about it (default 10 s). */
	checkAfterMs?: number;
	/** How often to poll unfinished jobs while the socket is down (default 2 s). */
	pollMs?: number;
	/** Fail a job after this much silence of both the socket and the queue (default 30 min; Infinity = never). */
	silenceTimeoutMs?: number;
	/** How many times a prompt may be sent when answers get lost and the server does not know the id (default 4). */
	submitAttempts?: number;
	/** Delays between those attempts (default 1 s doubling to 10 s). */
	submitBackoff?: BackoffOptions;
	/** Limit of one POST /prompt (default 60 s). */
	submitTimeoutMs?: number;
}

export interface JobTracker {
	/** Persists a new job, sends it, and resolves once the server accepted it (status `queued` or later). */
	submit(options: SubmitOptions): Promise<JobRecord>;
	get(id: string): JobRecord | undefined;
	/** Jobs of this server known to this tab, oldest first. */
	list(): JobRecord[];
	subscribe(listener: (change: JobChange) => void): () => void;
	/**
	 * Removes a queued job or interrupts a running one; resolves with the record once the server was told (a queued
	 * job is `interrupted` by then; a running one follows when the server stops it).
	 */
	cancel(id: string): Promise<JobRecord | undefined>;
	/** Sends a job's workflow again as a new job (for lost, failed or interrupted jobs); links both records. */
	resubmit(id: string, options?: { signal?: AbortSignal }): Promise<JobRecord>;
	/** Asks the server about unfinished jobs (all, or the given ids) and updates them. */
	reconcile(ids?: string[]): Promise<void>;
	/** Resolves with the job once it reached a final state. */
	waitFor(id: string, options?: { signal?: AbortSignal }): Promise<JobRecord>;
	/** Restores this server's jobs from the store (page load) and reconciles the unfinished ones. */
	load(): Promise<void>;
	/** Forgets a job (memory and store). */
	remove(id: string): Promise<void>;
	close(): void;
}

export function createJobTracker(options: JobTrackerOptions): JobTracker {
	const { api, socket, serverUrl, logger, store = createMemoryJobStore(), checkAfterMs = 10_000 } = options;
	const now = () => Date.now();
	const registry = createJobRegistry({
		store,
		logger,
		now,
		afterUpdate(job) {
			if (isTerminal(job.status) && context.activePromptId === job.id) context.activePromptId = undefined;
			watchdog.sync();
		}
	});
	const context: JobTrackerContext = { api, socket, registry, logger, now, connections: 0, closed: false };
	const reconciler = createReconciler({ context, checkAfterMs, afterAll: () => positions.schedule() });
	const reconcileOne = (id: string) => void reconciler.reconcileOne(id);
	const positions = createQueuePositions({ context, check: reconcileOne });
	const watchdog = createWatchdog({
		context,
		check: reconcileOne,
		limits: {
			checkAfterMs,
			pollMs: options.pollMs ?? 2_000,
			silenceTimeoutMs: options.silenceTimeoutMs ?? 30 * 60_000
		}
	});
	const submitter = createSubmitter({
		context,
		store,
		serverUrl,
		attempts: Math.max(1, options.submitAttempts ?? 4),
		backoff: { baseMs: 1_000, capMs: 10_000, floorMs: 500, ...options.submitBackoff },
		timeoutMs: options.submitTimeoutMs ?? 60_000,
		reconcile: reconcileOne,
		afterAccepted: () => positions.schedule()
	});

	const unsubscribeSocket = socket.subscribe((event: SocketEvent) => {
		if (context.closed) return;
		switch (event.type) {
			case 'connected':
				context.connections++;
				void reconciler.reconcileAll(event.reconnect ? 'reconnected' : 'connected');
				return;
			case 'resume':
				void reconciler.reconcileAll(event.reason);
				return;
			case 'state':
				watchdog.sync();
				return;
			case 'status':
				positions.queueMoved();
				return;
			case 'preview': {
				const id = event.promptId ?? context.activePromptId;
				const job = id ? registry.get(id) : undefined;
				if (!job || isTerminal(job.status)) return;
				registry.runtimeOf(job.id).lastSignOfLifeAt = now();
				registry.emit({ kind: 'updated', job, previous: job, preview: event });
				return;
			}
			case 'progress_text':
			case 'custom':
			case 'feature_flags':
				return;
			default:
				onMessage(event);
		}
	});

	function onMessage(message: WsMessage) {
		const data = message.data as { prompt_id?: string | null };
		let id = typeof data.prompt_id === 'string' ? data.prompt_id : undefined;
		// On a reconnect the server re-sends `executing` without a prompt id: it is about the running prompt.
		if (!id && (message.type === 'executing' || message.type === 'progress')) id = context.activePromptId;
		if (!id) return;
		if (message.type === 'execution_start') context.activePromptId = id;
		const job = registry.get(id);
		if (!job) return;
		const runtime = registry.runtimeOf(id);
		runtime.lastSignOfLifeAt = now();
		runtime.seenOnConnection = context.connections;
		const effect = applyMessage(job, runtime, message, now());
		if (!effect) return;
		if (effect.job !== job) registry.update(effect.job);
		if (message.type === 'executing' && message.data.node === null && context.activePromptId === id) {
			context.activePromptId = undefined;
		}
		if (effect.confirm) reconciler.scheduleConfirm(id, effect.confirm === 'now' ? 0 : 400);
	}

	return {
		submit: (submitOptions) => submitter.submit(submitOptions),
		get: (id) => registry.get(id),
		list: () => registry.list(),
		subscribe: (listener) => registry.subscribe(listener),
		async cancel(id) {
			const job = registry.get(id);
			if (!job || isTerminal(job.status)) return job;
			await submitter.cancel(id);
			await reconciler.reconcileOne(id);
			return registry.get(id);
		},
		resubmit: (id, resubmitOptions = {}) => submitter.resubmit(id, resubmitOptions.signal),
		async reconcile(ids) {
			if (!ids) return reconciler.reconcileAll('requested');
			await Promise.all(ids.map((id) => reconciler.reconcileOne(id)));
		},
		waitFor: (id, waitOptions = {}) => registry.waitForEnd(id, waitOptions.signal),
		async load() {
			for (const record of await store.list({ serverUrl })) {
				// A job still pending with no attempt on record was written before its POST by a page that is gone: the
				// POST may have left before the attempt was stored. Asking the server settles it (it has it, or lost).
				const unsure = record.status === 'pending' && record.attempts === 0;
				registry.restore(unsure ? { ...record, attempts: 1 } : record);
			}
			watchdog.sync();
			await reconciler.reconcileAll('page load');
		},
		async remove(id) {
			await registry.forget(id);
			watchdog.sync();
		},
		close() {
			context.closed = true;
			unsubscribeSocket();
			positions.stop();
			registry.clearTimers();
			watchdog.sync();
		}
	};
}
