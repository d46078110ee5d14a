/**
 * Submission: a new job is saved, then sent with `POST /prompt`, never blindly twice. After a POST whose answer
 * got lost the server is asked whether it has the id; only two "unknown" answers a moment apart allow sending
 * again.
 */
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { uuidv4 } from './client-id';
import {
	ComfyAbortError,
	ComfyConnectionError,
	ComfyError,
	ComfyHttpError,
	ComfyValidationError,
	type ValidationIssue
} from './errors';
import { readServerView } from './job-events';
import type { JobMetadata, JobRecord, JobStore } from './job-store';
import type { JobTrackerContext } from './job-tracker-context';
import { issuesOfNodeError } from './prompt-refusal';
import { errorMessage } from '../util/error-message';
import { safeParseWith, zNodeError, type ApiWorkflow, type PromptResponse } from './schemas';

export interface SubmitOptions {
	/** The prompt id to use (a lowercase UUID v4); one is made up when missing. */
	id?: string;
	workflow: ApiWorkflow;
	extraData?: Record<string, unknown>;
	front?: boolean;
	metadata?: JobMetadata;
	signal?: AbortSignal;
	/**
	 * The caller already stored this job's record (pending, never sent) where the store reads it, before calling
	 * (the browser queue writes it with the queue's own change): the tracker does not write its first record again.
	 */
	stored?: boolean;
}

/**
 * What a failed `POST /prompt` means: the caller gave up (`abort`), the server refused the workflow (`validation`)
 * or the request (`http`, a 4xx), the request never reached the queue (`connection`: CORS, the Origin check, mixed
 * content, auth), or the server may or may not have queued it (`unknown`: ask before sending again).
 */
export type SubmitFailure = 'abort' | 'validation' | 'http' | 'connection' | 'unknown';

export function classifySubmitError(error: unknown, aborted: boolean): SubmitFailure {
	if (aborted || error instanceof ComfyAbortError) return 'abort';
	if (error instanceof ComfyValidationError) return 'validation';
	if (error instanceof ComfyHttpError && error.status < 500) return 'http';
	if (
		error instanceof ComfyConnectionError &&
		error.diagnosis !== 'unreachable' &&
		error.diagnosis !== 'timeout'
	) {
		return 'connection';
	}
	return 'unknown';
}

/** Problems the server reported with some nodes while it still queued the prompt. */
export function partialErrorsOf(response: PromptResponse): ValidationIssue[] {
	return Object.entries(response.node_errors).flatMap(([nodeId, raw]) => {
		const parsed = safeParseWith(zNodeError, raw);
		return parsed.ok ? issuesOfNodeError(nodeId, parsed.value) : [];
	});
}

const PROMPT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createSubmitter(options: {
	context: JobTrackerContext;
	/** Where a job not in memory is read from (`resubmit` after a reload). */
	store: JobStore;
	serverUrl: string;
	/** How many times a prompt may be sent when answers get lost and the server does not know the id. */
	attempts: number;
	backoff: BackoffOptions;
	timeoutMs: number;
	/** Checks a job over REST (after the send settled, for requests made during it). */
	reconcile: (id: string) => void;
	/** The job was accepted: queue positions may have changed. */
	afterAccepted: () => void;
}) {
	const { context, serverUrl } = options;
	const { api, socket, registry, logger, now } = context;

	async function submit(submitOptions: SubmitOptions & { resubmittedFrom?: string }): Promise<JobRecord> {
		if (context.closed) throw new ComfyError('This client is closed.');
		const { id = uuidv4(), workflow, extraData, front, metadata, resubmittedFrom } = submitOptions;
		if (!PROMPT_ID.test(id) || registry.has(id)) {
			throw new ComfyError(`"${id}" cannot be used as a new prompt id (it must be a fresh lowercase UUID).`);
		}
		const record: JobRecord = {
			id,
			serverUrl,
			workflow,
			status: 'pending',
			outputs: [],
			timings: { created: now() },
			attempts: 0,
			...(extraData ? { extraData } : {}),
			...(front ? { front: true } : {}),
			...(metadata ? { metadata } : {}),
			...(resubmittedFrom ? { resubmittedFrom } : {})
		};
		registry.runtimeOf(id).submitting = true;
		const runtime = await registry.add(record, { stored: submitOptions.stored });
		try {
			await send(id, submitOptions.signal);
		} finally {
			runtime.submitting = false;
			runtime.submitController = undefined;
			if (runtime.reconcileAgain) {
				runtime.reconcileAgain = false;
				options.reconcile(id);
			}
		}
		return registry.get(id) ?? record;
	}

	async function send(id: string, signal: AbortSignal | undefined): Promise<void> {
		const controller = new AbortController();
		registry.runtimeOf(id).submitController = controller;
		const onAbort = () => controller.abort(signal?.reason);
		signal?.addEventListener('abort', onAbort, { once: true });
		if (signal?.aborted) onAbort();
		let lastError: unknown;
		try {
			for (let attempt = 0; attempt < options.attempts; attempt++) {
				const job = registry.get(id);
				if (!job) return;
				registry.update({
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
						timeoutMs: options.timeoutMs
					});
					accepted(id, response);
					return;
				} catch (error) {
					lastError = error;
					const failure = classifySubmitError(error, controller.signal.aborted);
					if (failure === 'abort') {
						await abandon(id);
						throw error instanceof ComfyAbortError ? error : new ComfyAbortError('Submitting the job', error);
					}
					if (failure !== 'unknown') {
						const refusal = error as ComfyError;
						const issues = error instanceof ComfyValidationError ? { issues: error.issues } : {};
						registry.fail(id, { kind: failure, message: refusal.message, hint: refusal.hint, ...issues });
						throw error;
					}
					logger?.warn(
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
		const job = registry.get(id);
		if (job) {
			// Left `pending`: the next reconnect or reload asks the server again and settles it (lost or adopted).
			registry.update({
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
			await sleep(backoffDelay(attempt + tries, options.backoff), signal).catch(() => undefined);
			if (signal.aborted) return 'unreachable';
			try {
				const view = readServerView(await api.getJob({ promptId: id, signal }));
				if (view.kind === 'unknown') {
					// A slow server may still be validating the first POST: only two misses in a row count.
					unknownAnswers++;
					continue;
				}
				logger?.info('jobs', `the server has ${id}: not sending it again`);
				const runtime = registry.runtimeOf(id);
				runtime.seenOnConnection = context.connections;
				const job = registry.get(id);
				if (job?.status === 'pending') {
					registry.update({
						...job,
						status: 'queued',
						error: undefined,
						timings: { ...job.timings, queued: now() }
					});
				}
				runtime.reconcileAgain = true;
				return 'known';
			} catch (error) {
				logger?.warn('jobs', `could not ask the server about ${id}: ${errorMessage(error)}`);
			}
		}
		return 'unknown';
	}

	function accepted(id: string, response: PromptResponse) {
		const job = registry.get(id);
		if (!job) return;
		const partialErrors = partialErrorsOf(response);
		const runtime = registry.runtimeOf(id);
		runtime.lastSignOfLifeAt = now();
		runtime.seenOnConnection = context.connections;
		registry.update({
			...job,
			// Messages that beat this answer may have moved the job further already.
			status: job.status === 'pending' ? 'queued' : job.status,
			number: response.number,
			error: undefined,
			timings: { ...job.timings, queued: job.timings.queued ?? now() },
			...(partialErrors.length ? { partialErrors } : {})
		});
		options.afterAccepted();
	}

	/** Stops sending a job and tells the server to drop it, queued or running; a later check settles it. */
	async function cancel(id: string) {
		const job = registry.get(id);
		if (!job) return;
		registry.update({ ...job, cancelRequested: true });
		registry.runtimeOf(id).submitController?.abort(new ComfyAbortError('Submitting the job'));
		await Promise.allSettled([api.deleteFromQueue({ promptIds: [id] }), api.interrupt({ promptId: id })]);
	}

	/** The caller gave up while sending: make sure the server does not run it anyway. */
	async function abandon(id: string) {
		await cancel(id);
		registry.runtimeOf(id).reconcileAgain = true;
	}

	/** Sends a job's workflow again as a new job, and links both records. */
	async function resubmit(id: string, signal: AbortSignal | undefined): Promise<JobRecord> {
		const old = registry.get(id) ?? (await options.store.get(id));
		if (!old) throw new ComfyError(`No job ${id} to resubmit.`);
		const { workflow, extraData, front, metadata } = old;
		const record = await submit({ workflow, extraData, front, metadata, signal, resubmittedFrom: id });
		const current = registry.get(id);
		if (current) registry.update({ ...current, resubmittedAs: record.id });
		else void registry.persist({ ...old, resubmittedAs: record.id });
		return record;
	}

	return { submit, cancel, resubmit };
}
