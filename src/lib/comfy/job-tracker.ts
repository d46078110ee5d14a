/**
 * The job tracker: the promise that a submitted job is never silently lost.
 *
 * - Every job gets its prompt id before submission, and its record is persisted before the POST.
 * - `POST /prompt` is never blindly resent: after an unanswered POST the server is asked whether it has the id.
 * - The socket moves jobs forward (running, progress, previews); the end state always comes from REST.
 * - After a reconnect, a page load or the tab becoming visible, every unfinished job is reconciled over REST, and
 *   while the socket is down (or silent about a job) the tracker polls instead.
 * - A job is timed out only after silence of both the socket and the queue, never by wall time.
 */
import type { ComfyApi } from './api';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { uuidv4 } from './client-id';
import {
	ComfyAbortError,
	ComfyError,
	ComfyHttpError,
	ComfyJobLostError,
	ComfyValidationError,
	type ValidationIssue
} from './errors';
import type { PreviewEvent } from './events';
import {
	applyMessage,
	imagesOfOutputs,
	isForward,
	newRuntime,
	outputsOfHistory,
	readServerView,
	textsOfOutputs,
	type JobRuntime
} from './job-events';
import { isTerminal, type JobError, type JobMetadata, type JobRecord, type JobStore } from './job-store';
import { createMemoryJobStore } from './job-store';
import type { Logger } from './logger';
import { safeParseWith, zNodeError, type ApiWorkflow, type PromptResponse, type WsMessage } from './schemas';
import type { ComfySocket, SocketEvent } from './socket';
import { errorMessage } from '../util/error-message';

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

export interface SubmitOptions {
	/** The prompt id to use (a lowercase UUID v4); one is made up when missing. */
	id?: string;
	workflow: ApiWorkflow;
	extraData?: Record<string, unknown>;
	front?: boolean;
	metadata?: JobMetadata;
	signal?: AbortSignal;
}

/** A change to one job. `preview` is set when the change is a new preview image. */
export interface JobChange {
	kind: 'added' | 'updated' | 'removed';
	job: JobRecord;
	previous?: JobRecord;
	preview?: PreviewEvent;
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

interface Runtime extends JobRuntime {
	lastSignAt: number;
	lastCheckAt: number;
	submitting: boolean;
	submitAbort?: AbortController;
	unknownStreak: number;
	reconciling?: Promise<void>;
	again: boolean;
	confirmTimer?: ReturnType<typeof setTimeout>;
	confirmTries: number;
	expectDone: boolean;
	lastPersistAt: number;
	/** The socket connection during which the server last showed it had the job (see `connections`). */
	seenOnConnection?: number;
}

const TICK_MS = 1_000;

export function createJobTracker(options: JobTrackerOptions): JobTracker {
	const { api, socket, serverUrl } = options;
	const store = options.store ?? createMemoryJobStore();
	const log = options.logger;
	const checkAfterMs = options.checkAfterMs ?? 10_000;
	const pollMs = options.pollMs ?? 2_000;
	const silenceTimeoutMs = options.silenceTimeoutMs ?? 30 * 60_000;
	const submitAttempts = Math.max(1, options.submitAttempts ?? 4);
	const submitBackoff: BackoffOptions = {
		baseMs: 1_000,
		capMs: 10_000,
		floorMs: 500,
		...options.submitBackoff
	};

	const jobs = new Map<string, JobRecord>();
	const runtimes = new Map<string, Runtime>();
	const listeners = new Set<(change: JobChange) => void>();
	const writes = new Map<string, Promise<void>>();
	let activePromptId: string | undefined;
	let ticker: ReturnType<typeof setInterval> | undefined;
	let positionsTimer: ReturnType<typeof setTimeout> | undefined;
	let positionsRunning = false;
	let closed = false;
	// Counts socket connections. ComfyUI only forgets a queued prompt when it is deleted from the queue or when the
	// server restarts, and a restart drops the socket: a job the server showed during the connection that is still
	// open, and no longer knows, was removed from the queue, not lost.
	let connections = 0;

	const now = () => Date.now();
	const runtimeOf = (id: string): Runtime => {
		let runtime = runtimes.get(id);
		if (!runtime) {
			runtime = {
				...newRuntime(),
				lastSignAt: now(),
				lastCheckAt: 0,
				submitting: false,
				unknownStreak: 0,
				again: false,
				confirmTries: 0,
				expectDone: false,
				lastPersistAt: 0
			};
			runtimes.set(id, runtime);
		}
		return runtime;
	};

	const emit = (change: JobChange) => {
		for (const listener of listeners) {
			try {
				listener(change);
			} catch (error) {
				log?.error('jobs', 'a job listener threw', errorMessage(error));
			}
		}
	};

	/** Persists writes of one job in order; failures are logged (the in-memory state stays right). */
	function persist(record: JobRecord): Promise<void> {
		const previous = writes.get(record.id) ?? Promise.resolve();
		const next = previous
			.then(() => store.put(record))
			.catch((error: unknown) => {
				log?.error('jobs', `could not save job ${record.id}`, errorMessage(error));
			});
		writes.set(record.id, next);
		void next.then(() => {
			if (writes.get(record.id) === next) writes.delete(record.id);
		});
		return next;
	}

	function update(next: JobRecord, extra: { preview?: PreviewEvent } = {}) {
		const previous = jobs.get(next.id);
		jobs.set(next.id, next);
		const runtime = runtimeOf(next.id);
		const important =
			!previous ||
			previous.status !== next.status ||
			previous.outputs.length !== next.outputs.length ||
			previous.error !== next.error ||
			previous.position !== next.position ||
			previous.attempts !== next.attempts ||
			previous.cancelRequested !== next.cancelRequested ||
			previous.resubmittedAs !== next.resubmittedAs;
		// Progress changes many times a second: save it at most once a second.
		if (important || now() - runtime.lastPersistAt >= 1_000) {
			runtime.lastPersistAt = now();
			void persist(next);
		}
		if (previous?.status !== next.status) {
			log?.info('jobs', `job ${next.id} ${previous ? `${previous.status} → ` : ''}${next.status}`);
		}
		emit({ kind: previous ? 'updated' : 'added', job: next, previous, ...extra });
		if (isTerminal(next.status)) {
			clearTimeout(runtime.confirmTimer);
			if (activePromptId === next.id) activePromptId = undefined;
		}
		syncTicker();
	}

	const patch = (id: string, changes: Partial<JobRecord>) => {
		const job = jobs.get(id);
		if (job) update({ ...job, ...changes });
	};

	function fail(id: string, error: JobError, status: 'failed' | 'lost' | 'interrupted' = 'failed') {
		const job = jobs.get(id);
		if (!job) return;
		update({ ...job, status, error, position: undefined, timings: { ...job.timings, finished: now() } });
	}

	// ------------------------------------------------------------------------------------------ socket events

	const unsubscribeSocket = socket.subscribe((event: SocketEvent) => {
		if (closed) return;
		switch (event.type) {
			case 'connected':
				connections++;
				void reconcileAll(event.reconnect ? 'reconnected' : 'connected');
				return;
			case 'resume':
				void reconcileAll(event.reason);
				return;
			case 'state':
				syncTicker();
				return;
			case 'status':
				// The queue moved: positions may have changed, and it is a sign of life for queued jobs.
				for (const [id, job] of jobs) if (job.status === 'queued') runtimeOf(id).lastSignAt = now();
				schedulePositions();
				return;
			case 'preview': {
				const id = event.promptId ?? activePromptId;
				const job = id ? jobs.get(id) : undefined;
				if (!job || isTerminal(job.status)) return;
				runtimeOf(job.id).lastSignAt = now();
				emit({ kind: 'updated', job, previous: job, preview: event });
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
		if (!id && (message.type === 'executing' || message.type === 'progress')) id = activePromptId;
		if (!id) return;
		if (message.type === 'execution_start') activePromptId = id;
		const job = jobs.get(id);
		if (!job) return;
		const runtime = runtimeOf(id);
		runtime.lastSignAt = now();
		runtime.seenOnConnection = connections;
		const effect = applyMessage(job, runtime, message, now());
		if (!effect) return;
		if (effect.job !== job) update(effect.job);
		if (message.type === 'executing' && message.data.node === null && activePromptId === id)
			activePromptId = undefined;
		if (effect.confirm) scheduleConfirm(id, effect.confirm === 'now' ? 0 : 400);
	}

	// ------------------------------------------------------------------------------------------ reconciliation

	/** The socket said the job ended but REST does not show it yet (history not written): look again shortly. */
	function retryConfirm(id: string) {
		const runtime = runtimeOf(id);
		if (!runtime.expectDone || runtime.confirmTries >= 8) return;
		runtime.confirmTries++;
		scheduleConfirm(id, Math.min(250 * 2 ** runtime.confirmTries, 4_000));
	}

	function scheduleConfirm(id: string, delayMs: number) {
		const runtime = runtimeOf(id);
		runtime.expectDone = true;
		clearTimeout(runtime.confirmTimer);
		runtime.confirmTimer = setTimeout(() => {
			runtime.confirmTimer = undefined;
			void reconcileOne(id);
		}, delayMs);
	}

	function needsReconcile(job: JobRecord): boolean {
		if (job.status === 'pending') return job.attempts > 0;
		if (job.status === 'failed' && job.error?.kind === 'timeout') return true;
		return !isTerminal(job.status);
	}

	async function reconcileAll(reason: string) {
		const ids = [...jobs.values()].filter(needsReconcile).map((job) => job.id);
		if (!ids.length) return;
		log?.info('jobs', `${reason}: reconciling ${ids.length} unfinished job(s)`);
		await Promise.all(ids.map((id) => reconcileOne(id)));
		schedulePositions();
	}

	function reconcileOne(id: string): Promise<void> {
		const runtime = runtimeOf(id);
		if (runtime.reconciling || runtime.submitting) {
			runtime.again = true;
			return runtime.reconciling ?? Promise.resolve();
		}
		const job = jobs.get(id);
		if (!job || !needsReconcile(job)) return Promise.resolve();
		runtime.reconciling = checkWithServer(id).finally(() => {
			runtime.reconciling = undefined;
			if (runtime.again && !runtime.submitting) {
				runtime.again = false;
				void reconcileOne(id);
			}
		});
		return runtime.reconciling;
	}

	async function checkWithServer(id: string): Promise<void> {
		const runtime = runtimeOf(id);
		runtime.lastCheckAt = now();
		let view;
		try {
			view = readServerView(await api.getJob({ promptId: id }));
		} catch (error) {
			log?.warn('jobs', `could not check job ${id}: ${errorMessage(error)}`);
			return;
		}
		const job = jobs.get(id);
		if (!job || !needsReconcile(job)) return;
		switch (view.kind) {
			case 'unknown': {
				runtime.unknownStreak++;
				// One miss can be a race with a job moving from queue to history: ask once more before deciding
				// (not for a job we asked the server to drop).
				if (runtime.unknownStreak < 2 && job.status !== 'pending' && !job.cancelRequested) {
					setTimeout(() => void reconcileOne(id), 1_000);
					return;
				}
				if (job.cancelRequested) {
					fail(id, { kind: 'interrupted', message: 'The job was cancelled before it ran.' }, 'interrupted');
					return;
				}
				if (job.status === 'queued' && socket.state === 'open' && runtime.seenOnConnection === connections) {
					// Deleted or cleared from the queue (the queue view, another tab, ComfyUI's own page): not "lost".
					fail(
						id,
						{
							kind: 'interrupted',
							message:
								'The job was removed from the server’s queue before it ran (deleted or cleared there).',
							hint: 'Queue it again to run it.'
						},
						'interrupted'
					);
					return;
				}
				const lost = new ComfyJobLostError({ promptId: id });
				fail(id, { kind: 'lost', message: lost.message, hint: lost.hint }, 'lost');
				return;
			}
			case 'queued':
				runtime.unknownStreak = 0;
				runtime.seenOnConnection = connections;
				if (job.status !== 'queued' && isForward(job.status, 'queued')) {
					runtime.lastSignAt = now();
					update({ ...job, status: 'queued', number: view.number ?? job.number, error: undefined });
				}
				retryConfirm(id);
				return;
			case 'running':
				runtime.unknownStreak = 0;
				runtime.seenOnConnection = connections;
				if (job.status !== 'running') {
					runtime.lastSignAt = now();
					update({
						...job,
						status: 'running',
						position: undefined,
						error: undefined,
						timings: { ...job.timings, started: job.timings.started ?? now() }
					});
				}
				retryConfirm(id);
				return;
			case 'done': {
				runtime.unknownStreak = 0;
				let outputs = view.outputs;
				if (!outputs && view.status === 'succeeded') {
					try {
						outputs = outputsOfHistory(await api.getHistoryEntry({ promptId: id }));
					} catch (error) {
						log?.warn('jobs', `could not read the outputs of ${id}: ${errorMessage(error)}`);
						return;
					}
				}
				const current = jobs.get(id);
				if (!current) return;
				if (
					socket.state === 'open' &&
					!isTerminal(current.status) &&
					now() - runtime.lastSignAt > checkAfterMs
				) {
					// It ended without a word on an open socket: the server may have stopped talking to this client id.
					log?.warn(
						'jobs',
						`job ${id} ended without any message on the open socket: reconnecting with a new client id`
					);
					socket.reconnect({ renewClientId: true });
				}
				const nodesTotal = Object.keys(current.workflow).length;
				update({
					...current,
					status: view.status,
					position: undefined,
					outputs: outputs ? imagesOfOutputs(outputs) : current.outputs,
					texts: outputs ? textsOfOutputs(outputs) : current.texts,
					error: view.error,
					progress:
						view.status === 'succeeded'
							? {
									...current.progress,
									nodesDone: nodesTotal,
									nodesTotal,
									cachedNodes: current.progress?.cachedNodes ?? 0
								}
							: current.progress,
					timings: {
						...current.timings,
						started: current.timings.started ?? view.started,
						finished: view.finished ?? now()
					}
				});
			}
		}
	}

	function schedulePositions() {
		if (positionsTimer || ![...jobs.values()].some((job) => job.status === 'queued')) return;
		positionsTimer = setTimeout(() => {
			positionsTimer = undefined;
			void refreshPositions();
		}, 250);
	}

	async function refreshPositions() {
		if (positionsRunning || closed) return;
		positionsRunning = true;
		try {
			const queue = await api.getQueue();
			const pending = [...queue.queue_pending].sort((a, b) => a[0] - b[0]).map((item) => item[1]);
			const running = new Set(queue.queue_running.map((item) => item[1]));
			for (const job of [...jobs.values()]) {
				if (job.status !== 'queued') continue;
				const index = pending.indexOf(job.id);
				if (index >= 0) {
					runtimeOf(job.id).seenOnConnection = connections;
					if (job.position !== index) {
						runtimeOf(job.id).lastSignAt = now();
						patch(job.id, { position: index });
					}
				} else if (running.has(job.id)) {
					void reconcileOne(job.id);
				} else if (!runtimeOf(job.id).submitting) {
					void reconcileOne(job.id);
				}
			}
		} catch (error) {
			log?.debug('jobs', `queue positions not refreshed: ${errorMessage(error)}`);
		} finally {
			positionsRunning = false;
		}
	}

	// ------------------------------------------------------------------------------------------ watchdog

	function syncTicker() {
		const active = [...jobs.values()].some((job) => !isTerminal(job.status));
		if (active && !ticker && !closed) ticker = setInterval(tick, TICK_MS);
		if ((!active || closed) && ticker) {
			clearInterval(ticker);
			ticker = undefined;
		}
	}

	function tick() {
		const t = now();
		const socketDown = socket.state !== 'open';
		for (const job of [...jobs.values()]) {
			if (isTerminal(job.status)) continue;
			const runtime = runtimeOf(job.id);
			if (runtime.submitting || (job.status === 'pending' && job.attempts === 0)) continue;
			const silence = t - runtime.lastSignAt;
			if (silence >= silenceTimeoutMs) {
				log?.warn('jobs', `job ${job.id}: no sign of life for ${Math.round(silence / 1000)} s`);
				fail(job.id, {
					kind: 'timeout',
					message: `Nothing was heard about this job for ${Math.round(silence / 60_000)} min (no messages, no queue change).`,
					hint: 'The server may be stuck: check ComfyUI. If it finishes later, the result still shows up here.'
				});
				continue;
			}
			const sinceCheck = t - runtime.lastCheckAt;
			if ((socketDown && sinceCheck >= pollMs) || (silence >= checkAfterMs && sinceCheck >= checkAfterMs)) {
				void reconcileOne(job.id);
			}
		}
	}

	// ------------------------------------------------------------------------------------------ submission

	async function submit(o: SubmitOptions & { resubmittedFrom?: string }): Promise<JobRecord> {
		if (closed) throw new ComfyError('This client is closed.');
		const id = o.id ?? uuidv4();
		if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) || jobs.has(id)) {
			throw new ComfyError(`"${id}" cannot be used as a new prompt id (it must be a fresh lowercase UUID).`);
		}
		const record: JobRecord = {
			id,
			serverUrl,
			workflow: o.workflow,
			status: 'pending',
			outputs: [],
			timings: { created: now() },
			attempts: 0,
			...(o.extraData ? { extraData: o.extraData } : {}),
			...(o.front ? { front: true } : {}),
			...(o.metadata ? { metadata: o.metadata } : {}),
			...(o.resubmittedFrom ? { resubmittedFrom: o.resubmittedFrom } : {})
		};
		const runtime = runtimeOf(id);
		runtime.submitting = true;
		// Known before the POST, so messages that beat the POST's answer are not missed.
		jobs.set(id, record);
		try {
			await store.put(record);
		} catch (error) {
			jobs.delete(id);
			runtimes.delete(id);
			throw new ComfyError(`Could not save the job before sending it: ${errorMessage(error)}`, {
				hint: 'The browser storage may be full or disabled.',
				cause: error
			});
		}
		emit({ kind: 'added', job: record });
		syncTicker();
		try {
			await send(id, o.signal);
		} finally {
			runtime.submitting = false;
			runtime.submitAbort = undefined;
			if (runtime.again) {
				runtime.again = false;
				void reconcileOne(id);
			}
		}
		return jobs.get(id) ?? record;
	}

	async function send(id: string, signal: AbortSignal | undefined): Promise<void> {
		const runtime = runtimeOf(id);
		const controller = new AbortController();
		runtime.submitAbort = controller;
		const onAbort = () => controller.abort(signal?.reason);
		signal?.addEventListener('abort', onAbort, { once: true });
		if (signal?.aborted) onAbort();
		let lastError: unknown;
		try {
			for (let attempt = 0; attempt < submitAttempts; attempt++) {
				const job = jobs.get(id);
				if (!job) return;
				update({
					...job,
					attempts: job.attempts + 1,
					timings: { ...job.timings, submitted: job.timings.submitted ?? now() }
				});
				try {
					const response = await api.queuePrompt({
						prompt: job.workflow,
						clientId: socket.clientId,
						promptId: id,
						extraData: job.extraData,
						front: job.front,
						signal: controller.signal,
						timeoutMs: options.submitTimeoutMs ?? 60_000
					});
					accepted(id, response);
					return;
				} catch (error) {
					lastError = error;
					if (controller.signal.aborted || error instanceof ComfyAbortError) {
						await abandon(id);
						throw error instanceof ComfyAbortError ? error : new ComfyAbortError('Submitting the job', error);
					}
					if (error instanceof ComfyValidationError) {
						fail(id, { kind: 'validation', message: error.message, hint: error.hint, issues: error.issues });
						throw error;
					}
					if (error instanceof ComfyHttpError && error.status < 500) {
						fail(id, { kind: 'http', message: error.message, hint: error.hint });
						throw error;
					}
					if (
						error instanceof ComfyError &&
						'diagnosis' in error &&
						error.diagnosis !== 'unreachable' &&
						error.diagnosis !== 'timeout'
					) {
						// CORS, the Origin check, mixed content, auth: the request never reached ComfyUI's queue.
						fail(id, { kind: 'connection', message: error.message, hint: error.hint });
						throw error;
					}
					// The answer is unknown: the server may or may not have queued it. Ask before sending again.
					log?.warn(
						'jobs',
						`no answer to POST /prompt for ${id} (${errorMessage(error)}); asking the server`
					);
					const answer = await askServer(id, attempt, controller.signal);
					if (answer === 'known') return;
					if (answer === 'unreachable') break;
				}
			}
		} finally {
			signal?.removeEventListener('abort', onAbort);
		}
		const message = errorMessage(lastError);
		const job = jobs.get(id);
		if (job) {
			// Left `pending`: the next reconnect or reload asks the server again and settles it (lost or adopted).
			update({
				...job,
				error: { kind: 'connection', message, hint: 'It will be checked again when the server is back.' }
			});
		}
		throw lastError instanceof Error ? lastError : new ComfyError(message);
	}

	/**
	 * After an unanswered POST: `known` when the server has the job (it is adopted), `unknown` when it said twice,
	 * a moment apart, that it does not (safe to send again), `unreachable` when it could not be asked.
	 */
	async function askServer(
		id: string,
		attempt: number,
		signal: AbortSignal
	): Promise<'known' | 'unknown' | 'unreachable'> {
		let unknownAnswers = 0;
		for (let tries = 0; unknownAnswers < 2; tries++) {
			if (tries >= 8) return 'unreachable';
			await sleep(backoffDelay(attempt + tries, submitBackoff), signal).catch(() => undefined);
			if (signal.aborted) return 'unreachable';
			try {
				const view = readServerView(await api.getJob({ promptId: id, signal }));
				if (view.kind === 'unknown') {
					// A slow server may still be validating the first POST: only two misses in a row count.
					unknownAnswers++;
					continue;
				}
				log?.info('jobs', `the server has ${id}: not sending it again`);
				runtimeOf(id).seenOnConnection = connections;
				const job = jobs.get(id);
				if (job?.status === 'pending')
					update({ ...job, status: 'queued', error: undefined, timings: { ...job.timings, queued: now() } });
				runtimeOf(id).again = true;
				return 'known';
			} catch (error) {
				log?.warn('jobs', `could not ask the server about ${id}: ${errorMessage(error)}`);
			}
		}
		return 'unknown';
	}

	function accepted(id: string, response: PromptResponse) {
		const job = jobs.get(id);
		if (!job) return;
		const partialErrors: ValidationIssue[] = [];
		for (const [nodeId, raw] of Object.entries(response.node_errors)) {
			const parsed = safeParseWith(zNodeError, raw);
			if (!parsed.ok) continue;
			for (const error of parsed.value.errors) {
				partialErrors.push({
					nodeId,
					classType: parsed.value.class_type,
					inputName: error.extra_info.input_name,
					type: error.type,
					message: error.message,
					details: error.details
				});
			}
		}
		const runtime = runtimeOf(id);
		runtime.lastSignAt = now();
		runtime.seenOnConnection = connections;
		update({
			...job,
			// Messages that beat this answer may have moved the job further already.
			status: job.status === 'pending' ? 'queued' : job.status,
			number: response.number,
			error: undefined,
			timings: { ...job.timings, queued: job.timings.queued ?? now() },
			...(partialErrors.length ? { partialErrors } : {})
		});
		schedulePositions();
	}

	/** The caller gave up while sending: make sure the server does not run it anyway. */
	async function abandon(id: string) {
		const job = jobs.get(id);
		if (!job) return;
		update({ ...job, cancelRequested: true });
		await Promise.allSettled([api.deleteFromQueue({ promptIds: [id] }), api.interrupt({ promptId: id })]);
		runtimeOf(id).again = true;
	}

	// ------------------------------------------------------------------------------------------ the rest

	const tracker: JobTracker = {
		submit: (o) => submit(o),
		get: (id) => jobs.get(id),
		list: () => [...jobs.values()].sort((a, b) => a.timings.created - b.timings.created),
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		async cancel(id) {
			const job = jobs.get(id);
			if (!job || isTerminal(job.status)) return job;
			update({ ...job, cancelRequested: true });
			runtimeOf(id).submitAbort?.abort(new ComfyAbortError('Submitting the job'));
			await Promise.allSettled([api.deleteFromQueue({ promptIds: [id] }), api.interrupt({ promptId: id })]);
			await reconcileOne(id);
			return jobs.get(id);
		},
		async resubmit(id, o = {}) {
			const old = jobs.get(id) ?? (await store.get(id));
			if (!old) throw new ComfyError(`No job ${id} to resubmit.`);
			const next = submit({
				workflow: old.workflow,
				extraData: old.extraData,
				front: old.front,
				metadata: old.metadata,
				signal: o.signal,
				resubmittedFrom: id
			});
			const record = await next;
			const current = jobs.get(id);
			if (current) update({ ...current, resubmittedAs: record.id });
			else void persist({ ...old, resubmittedAs: record.id });
			return record;
		},
		async reconcile(ids) {
			if (!ids) return reconcileAll('requested');
			await Promise.all(ids.map((id) => reconcileOne(id)));
		},
		waitFor(id, o = {}) {
			return new Promise<JobRecord>((resolve, reject) => {
				const job = jobs.get(id);
				if (!job) return reject(new ComfyError(`No job ${id}.`));
				if (isTerminal(job.status) && job.error?.kind !== 'timeout') return resolve(job);
				const stop = tracker.subscribe((change) => {
					if (change.job.id !== id || !isTerminal(change.job.status)) return;
					if (
						change.previous &&
						isTerminal(change.previous.status) &&
						change.previous.status === change.job.status
					)
						return;
					cleanup();
					resolve(change.job);
				});
				const onAbort = () => {
					cleanup();
					reject(new ComfyAbortError('Waiting for the job', o.signal?.reason));
				};
				const cleanup = () => {
					stop();
					o.signal?.removeEventListener('abort', onAbort);
				};
				if (o.signal?.aborted) return onAbort();
				o.signal?.addEventListener('abort', onAbort, { once: true });
			});
		},
		async load() {
			const records = await store.list({ serverUrl });
			for (const record of records) {
				if (jobs.has(record.id)) continue;
				jobs.set(record.id, record);
				runtimeOf(record.id);
				emit({ kind: 'added', job: record });
			}
			syncTicker();
			await reconcileAll('page load');
		},
		async remove(id) {
			const job = jobs.get(id);
			jobs.delete(id);
			const runtime = runtimes.get(id);
			clearTimeout(runtime?.confirmTimer);
			runtimes.delete(id);
			await (writes.get(id) ?? Promise.resolve());
			await store.delete(id);
			if (job) emit({ kind: 'removed', job });
			syncTicker();
		},
		close() {
			closed = true;
			unsubscribeSocket();
			clearTimeout(positionsTimer);
			for (const runtime of runtimes.values()) clearTimeout(runtime.confirmTimer);
			syncTicker();
		}
	};
	return tracker;
}
