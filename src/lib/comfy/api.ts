/**
 * One typed method per ComfyUI REST route (PROTOCOL.md), on top of the transport in `http.ts`.
 */
import type { ZodMiniType } from 'zod/mini';
import type { Logger } from './logger';
import { ComfyHttpError, ComfyValidationError, type ValidationIssue } from './errors';
import {
	createHttpClient,
	type CallOptions,
	type HttpClient,
	type HttpClientOptions,
	type QueryValue
} from './http';
import {
	safeParseWith,
	zFeatures,
	zHistory,
	zJobDetail,
	zJobList,
	zObjectInfo,
	zPromptErrorBody,
	zUnknownRecord,
	zPromptInfo,
	zPromptResponse,
	zQueue,
	zStringList,
	zSystemStats,
	zUploadResponse,
	type ApiWorkflow,
	type Features,
	type FileRef,
	type History,
	type HistoryEntry,
	type JobDetail,
	type JobList,
	type ServerJobStatus,
	type JobSummary,
	type ObjectInfo,
	type PromptErrorBody,
	type PromptInfo,
	type PromptResponse,
	type Queue,
	type QueueItem,
	type SystemStats,
	type UploadResponse
} from './schemas';
import { parseObjectInfo } from './workflow/object-info';

export interface QueuePromptOptions extends CallOptions {
	prompt: ApiWorkflow;
	clientId?: string;
	/** Chosen by the client (lowercase UUID v4) so a lost answer can be looked up. */
	promptId?: string;
	/** Put it at the head of the queue. */
	front?: boolean;
	number?: number;
	/** `extra_pnginfo.workflow` is embedded in saved PNGs. */
	extraData?: Record<string, unknown>;
	partialExecutionTargets?: string[];
}

export interface ListJobsOptions extends CallOptions {
	status?: ServerJobStatus[];
	sortBy?: 'created_at' | 'execution_duration' | (string & {});
	sortOrder?: 'asc' | 'desc';
	limit?: number;
	offset?: number;
}

export interface ViewOptions {
	filename: string;
	subfolder?: string;
	type?: 'output' | 'input' | 'temp' | (string & {});
	/** Server-side conversion, e.g. `webp;90` or `jpeg;80`. */
	preview?: string;
	channel?: 'rgb' | 'a' | 'rgba';
}

export interface UploadOptions extends CallOptions {
	file: Blob;
	filename: string;
	type?: 'input' | 'temp' | 'output';
	subfolder?: string;
	overwrite?: boolean;
}

/** The REST API of one ComfyUI server. */
export type ComfyApi = ReturnType<typeof createComfyApi>;

/** Creates the typed REST API. `options` as for `createHttpClient`, or an existing transport. */
export function createComfyApi(options: HttpClientOptions | { http: HttpClient; logger?: Logger }) {
	const http = 'http' in options ? options.http : createHttpClient(options);
	const logger = options.logger;
	// Unknown until the first call to /api/jobs: older servers answer 404 and we fall back to queue + history.
	let jobsRoute: boolean | undefined;

	const get = <T>(
		path: string,
		schema: ZodMiniType<T>,
		call: CallOptions = {},
		query: Record<string, QueryValue> = {}
	) => http.request({ method: 'GET', path, schema, query, signal: call.signal, timeoutMs: call.timeoutMs });
	const post = (path: string, json: unknown, call: CallOptions = {}, idempotent = true) =>
		http.request({ method: 'POST', path, json, expect: 'empty', idempotent, ...pick(call) });

	const api = {
		http,

		/** `POST /prompt`. Never retried (the server does not de-duplicate); a 400 becomes a `ComfyValidationError`. */
		queuePrompt(o: QueuePromptOptions): Promise<PromptResponse> {
			const body: Record<string, unknown> = { prompt: o.prompt };
			if (o.clientId) body.client_id = o.clientId;
			if (o.promptId) body.prompt_id = o.promptId;
			if (o.front) body.front = true;
			if (o.number !== undefined) body.number = o.number;
			if (o.extraData) body.extra_data = o.extraData;
			if (o.partialExecutionTargets) body.partial_execution_targets = o.partialExecutionTargets;
			return http.request({
				method: 'POST',
				path: 'prompt',
				json: body,
				schema: zPromptResponse,
				idempotent: false,
				...pick(o),
				mapError: (status, text) => (status === 400 ? validationErrorFromBody(text) : undefined)
			});
		},
		/** `GET /prompt`: how many prompts are left. */
		getPromptInfo: (call?: CallOptions): Promise<PromptInfo> => get('prompt', zPromptInfo, call),

		getQueue: (call?: CallOptions): Promise<Queue> => get('queue', zQueue, call),
		/** Removes pending prompts (a running one is not affected: use `interrupt`). */
		deleteFromQueue: (o: { promptIds: string[] } & CallOptions) => post('queue', { delete: o.promptIds }, o),
		clearQueue: (call?: CallOptions) => post('queue', { clear: true }, call),
		/** Stops the running prompt; with `promptId`, only if that one is running. */
		interrupt: (o: { promptId?: string } & CallOptions = {}) =>
			post('interrupt', o.promptId ? { prompt_id: o.promptId } : {}, o, Boolean(o.promptId)),

		getHistory: (o: { maxItems?: number; offset?: number } & CallOptions = {}): Promise<History> =>
			get('history', zHistory, o, { max_items: o.maxItems, offset: o.offset }),
		/** One prompt's history entry, or undefined when the server does not know it (yet, or any more). */
		async getHistoryEntry(o: { promptId: string } & CallOptions): Promise<HistoryEntry | undefined> {
			const history = await get(`history/${encodeURIComponent(o.promptId)}`, zHistory, o);
			return history[o.promptId];
		},
		deleteHistory: (o: { promptIds: string[] } & CallOptions) => post('history', { delete: o.promptIds }, o),
		clearHistory: (call?: CallOptions) => post('history', { clear: true }, call),

		/** `GET /api/jobs`, or the same built from `/queue` + `/history` on servers without it. */
		async listJobs(o: ListJobsOptions = {}): Promise<JobList> {
			if (jobsRoute !== false) {
				try {
					const list = await http.request({
						method: 'GET',
						path: 'jobs',
						schema: zJobList,
						query: {
							status: o.status?.join(','),
							sort_by: o.sortBy,
							sort_order: o.sortOrder,
							limit: o.limit,
							offset: o.offset
						},
						...pick(o)
					});
					jobsRoute = true;
					return list;
				} catch (error) {
					if (!(error instanceof ComfyHttpError && error.status === 404)) throw error;
					jobsRoute = false;
				}
			}
			const [queue, history] = await Promise.all([api.getQueue(o), api.getHistory(o)]);
			let jobs = jobsFromQueueAndHistory(queue, history);
			if (o.status) jobs = jobs.filter((job) => o.status?.includes(job.status as ServerJobStatus));
			if (o.sortOrder === 'asc') jobs.reverse();
			const total = jobs.length;
			jobs = jobs.slice(o.offset ?? 0, o.limit === undefined ? undefined : (o.offset ?? 0) + o.limit);
			return { jobs, pagination: { offset: o.offset ?? 0, limit: o.limit ?? null, total, has_more: false } };
		},
		/** One job (`/api/jobs/{id}` or queue + history), or undefined when the server does not know it. */
		async getJob(o: { promptId: string } & CallOptions): Promise<JobDetail | undefined> {
			if (jobsRoute !== false) {
				try {
					const job = await http.request({
						method: 'GET',
						path: `jobs/${encodeURIComponent(o.promptId)}`,
						schema: zJobDetail,
						...pick(o)
					});
					jobsRoute = true;
					return job;
				} catch (error) {
					if (!(error instanceof ComfyHttpError && error.status === 404)) throw error;
					// A JSON 404 ({"error": "Job not found"}) is the route answering; a plain 404 means no route.
					if (isJsonObject(error.body)) {
						jobsRoute = true;
						return undefined;
					}
					jobsRoute = false;
				}
			}
			const [queue, entry] = await Promise.all([api.getQueue(o), api.getHistoryEntry(o)]);
			return jobFromQueueAndHistory(o.promptId, queue, entry);
		},
		/** Whether the server has `/api/jobs` (undefined until a jobs call was made). */
		get hasJobsRoute(): boolean | undefined {
			return jobsRoute;
		},

		/** URL of a file, for `<img src>` (carries the token as a query parameter, since tags cannot send headers). */
		viewUrl(o: ViewOptions): string {
			return http.url('view', {
				filename: o.filename,
				subfolder: o.subfolder ?? '',
				type: o.type ?? 'output',
				preview: o.preview,
				channel: o.channel,
				token: http.token
			});
		},
		/** `GET /view`: the file's bytes. */
		view: (o: ViewOptions & CallOptions): Promise<Blob> =>
			http.request({
				method: 'GET',
				path: 'view',
				expect: 'blob',
				query: {
					filename: o.filename,
					subfolder: o.subfolder ?? '',
					type: o.type ?? 'output',
					preview: o.preview,
					channel: o.channel
				},
				...pick(o),
				// ComfyUI answers a subfolder outside its folders with an empty 403, like its Origin check (a_connect).
				// Here it is about the file: a page the Origin check refuses fails every call before it asks for one.
				mapError: (status, body) =>
					status === 403
						? new ComfyHttpError({
								status,
								route: 'GET /api/view',
								body,
								message: `GET /api/view refused "${o.subfolder ? `${o.subfolder}/` : ''}${o.filename}" (HTTP 403).`,
								hint: 'ComfyUI serves only files inside its input, output and temp folders: check the subfolder and file name.'
							})
						: undefined
			}),

		/** `POST /upload/image`. A same-named different file is renamed by the server: use the returned name. */
		uploadImage: (o: UploadOptions): Promise<UploadResponse> =>
			http.request({
				method: 'POST',
				path: 'upload/image',
				form: uploadForm(o),
				schema: zUploadResponse,
				...pick(o)
			}),
		/** `POST /upload/mask`: `originalRef` is the image the mask belongs to. */
		uploadMask: (o: UploadOptions & { originalRef: FileRef }): Promise<UploadResponse> => {
			const form = uploadForm(o);
			form.set('original_ref', JSON.stringify(o.originalRef));
			return http.request({ method: 'POST', path: 'upload/mask', form, schema: zUploadResponse, ...pick(o) });
		},

		getSystemStats: (call?: CallOptions): Promise<SystemStats> => get('system_stats', zSystemStats, call),
		/** Every node class. A class whose definition is malformed is left out (and logged), not fatal. */
		async getObjectInfo(call?: CallOptions): Promise<ObjectInfo> {
			const json = await get('object_info', zUnknownRecord, { timeoutMs: 120_000, ...call });
			const { objectInfo, skipped } = parseObjectInfo({ json });
			if (skipped.length)
				logger?.warn('http', `object_info: skipped malformed node classes ${skipped.join(', ')}`);
			return objectInfo;
		},
		/** One node class; undefined when the server has no such class. */
		async getNodeInfo(o: { classType: string } & CallOptions): Promise<ObjectInfo[string] | undefined> {
			const info = await get(`object_info/${encodeURIComponent(o.classType)}`, zObjectInfo, o);
			return info[o.classType];
		},
		getModelFolders: (call?: CallOptions): Promise<string[]> => get('models', zStringList, call),
		/** File names in one model folder (a `ComfyHttpError` 404 for an unknown folder). */
		getModels: (o: { folder: string } & CallOptions): Promise<string[]> =>
			get(`models/${encodeURIComponent(o.folder)}`, zStringList, o),
		getEmbeddings: (call?: CallOptions): Promise<string[]> => get('embeddings', zStringList, call),
		getExtensions: (call?: CallOptions): Promise<string[]> => get('extensions', zStringList, call),
		getFeatures: (call?: CallOptions): Promise<Features> => get('features', zFeatures, call),
		/** Unloads models and/or frees memory on the server. */
		free: (o: { unloadModels?: boolean; freeMemory?: boolean } & CallOptions = {}) =>
			post('free', { unload_models: o.unloadModels ?? false, free_memory: o.freeMemory ?? false }, o)
	};
	return api;
}

/** Reads a 400 body of `POST /prompt` into a `ComfyValidationError` (one issue per node input error). */
export function validationErrorFromBody(text: string): ComfyValidationError | undefined {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return undefined;
	}
	const parsed = safeParseWith(zPromptErrorBody, json);
	if (!parsed.ok) return undefined;
	const body: PromptErrorBody = parsed.value;
	const issues: ValidationIssue[] = [];
	for (const [nodeId, nodeError] of Object.entries(body.node_errors)) {
		for (const error of nodeError.errors) {
			issues.push({
				nodeId,
				classType: nodeError.class_type,
				inputName: error.extra_info.input_name,
				type: error.type,
				message: error.message,
				details: error.details
			});
		}
	}
	if (!issues.length) {
		// `invalid_prompt` names the node only in details: "Node ID '#2'".
		const nodeId = /Node ID '#?([^']+)'/.exec(body.error.details)?.[1];
		if (nodeId) issues.push({ nodeId, type: body.error.type, message: body.error.message, details: '' });
	}
	return new ComfyValidationError({
		type: body.error.type,
		message: body.error.message,
		details: body.error.details,
		issues,
		body: json
	});
}

/** Job summaries from a queue and a history (newest first), as `/api/jobs` would give them. */
export function jobsFromQueueAndHistory(queue: Queue, history: History): JobSummary[] {
	const jobs: JobSummary[] = [];
	const fromItem = (item: QueueItem, status: string): JobSummary => ({
		id: item[1],
		status,
		priority: item[0],
		create_time: numberOr(item[3].create_time)
	});
	for (const item of [...queue.queue_pending].reverse()) jobs.push(fromItem(item, 'pending'));
	for (const item of queue.queue_running) jobs.push(fromItem(item, 'in_progress'));
	for (const [id, entry] of Object.entries(history).reverse()) {
		jobs.push(summaryFromHistory(id, entry));
	}
	return jobs;
}

/** The job detail for one id from a queue and its history entry; undefined when neither knows it. */
export function jobFromQueueAndHistory(
	id: string,
	queue: Queue,
	entry: HistoryEntry | undefined
): JobDetail | undefined {
	if (entry) {
		return { ...summaryFromHistory(id, entry), outputs: entry.outputs, execution_status: entry.status };
	}
	const running = queue.queue_running.find((item) => item[1] === id);
	if (running)
		return { id, status: 'in_progress', priority: running[0], create_time: numberOr(running[3].create_time) };
	const pending = queue.queue_pending.find((item) => item[1] === id);
	if (pending)
		return { id, status: 'pending', priority: pending[0], create_time: numberOr(pending[3].create_time) };
	return undefined;
}

function summaryFromHistory(id: string, entry: HistoryEntry): JobSummary {
	const status = entry.status?.status_str === 'success' ? 'completed' : entry.status ? 'failed' : 'completed';
	const messages = entry.status?.messages ?? [];
	const stamp = (type: string) => {
		const data = messages.find(([t]) => t === type)?.[1];
		return data && typeof data === 'object' && 'timestamp' in data ? numberOr(data.timestamp) : undefined;
	};
	const outputsCount = Object.values(entry.outputs).reduce(
		(n, output) => n + (output.images?.length ?? 0),
		0
	);
	return {
		id,
		status,
		priority: numberOr(entry.prompt[0]),
		create_time: numberOr((entry.prompt[3] as { create_time?: unknown } | undefined)?.create_time),
		execution_start_time: stamp('execution_start'),
		execution_end_time:
			stamp('execution_success') ?? stamp('execution_error') ?? stamp('execution_interrupted'),
		outputs_count: outputsCount
	};
}

function uploadForm(o: UploadOptions): FormData {
	const form = new FormData();
	form.set('image', o.file, o.filename);
	form.set('type', o.type ?? 'input');
	if (o.subfolder) form.set('subfolder', o.subfolder);
	if (o.overwrite) form.set('overwrite', 'true');
	return form;
}

function pick(call: CallOptions = {}): CallOptions {
	return { signal: call.signal, timeoutMs: call.timeoutMs };
}

function numberOr(value: unknown): number | undefined {
	return typeof value === 'number' ? value : undefined;
}

function isJsonObject(text: string): boolean {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null;
	} catch {
		return false;
	}
}
