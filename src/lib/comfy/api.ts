/**
 * One typed method per ComfyUI REST route (PROTOCOL.md), on top of the transport in `http.ts`.
 */
import type { Schema } from './guard';
import type { Logger } from './logger';
import { ComfyHttpError } from './errors';
import { validationErrorFromBody } from './prompt-refusal';
import {
	createHttpClient,
	type CallOptions,
	type HttpClient,
	type HttpClientOptions,
	type QueryValue
} from './http';
import {
	zHistory,
	zJobDetail,
	zPromptResponse,
	zQueue,
	type ApiWorkflow,
	type Features,
	type FileRef,
	type History,
	type HistoryEntry,
	type JobDetail,
	type ServerJobStatus,
	type PromptResponse,
	type Queue
} from './schemas';
import type { JobList, ObjectInfo, PromptInfo, SystemStats, UploadResponse } from './route-schemas';
import type { RouteContext } from './api-routes';

// Only servers without `/api/jobs` (older than ComfyUI 0.8) need the jobs built from queue + history.
const jobsFallback = () => import('./jobs-fallback');

// Loaded on the first call of a route no job needs; a failed load (an update replaced the build) is tried again.
let loadingRoutes: Promise<typeof import('./api-routes')> | undefined;
function routes(): Promise<typeof import('./api-routes')> {
	return (loadingRoutes ??= import('./api-routes').catch((error: unknown) => {
		loadingRoutes = undefined;
		throw error;
	}));
}

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
	const jobsRoute: { known?: boolean } = {};

	const get = <T>(
		path: string,
		schema: Schema<T>,
		call: CallOptions = {},
		query: Record<string, QueryValue> = {}
	) => http.request({ method: 'GET', path, schema, query, signal: call.signal, timeoutMs: call.timeoutMs });
	const post = (path: string, json: unknown, call: CallOptions = {}, idempotent = true) =>
		http.request({ method: 'POST', path, json, expect: 'empty', idempotent, ...pick(call) });

	const context: RouteContext = { http, logger, get, jobsRoute };

	const api = {
		http,

		/** `POST /prompt`. Never retried (the server does not de-duplicate); a 400 becomes a `ComfyValidationError`. */
		queuePrompt(request: QueuePromptOptions): Promise<PromptResponse> {
			const body: Record<string, unknown> = { prompt: request.prompt };
			if (request.clientId) body.client_id = request.clientId;
			if (request.promptId) body.prompt_id = request.promptId;
			if (request.front) body.front = true;
			if (request.number !== undefined) body.number = request.number;
			if (request.extraData) body.extra_data = request.extraData;
			if (request.partialExecutionTargets) body.partial_execution_targets = request.partialExecutionTargets;
			return http.request({
				method: 'POST',
				path: 'prompt',
				json: body,
				schema: zPromptResponse,
				idempotent: false,
				...pick(request),
				mapError: (status, text) => (status === 400 ? validationErrorFromBody(text) : undefined)
			});
		},
		/** `GET /prompt`: how many prompts are left. */
		getPromptInfo: async (call?: CallOptions): Promise<PromptInfo> =>
			(await routes()).getPromptInfo(context, call),

		getQueue: (call?: CallOptions): Promise<Queue> => get('queue', zQueue, call),
		/** Removes pending prompts (a running one is not affected: use `interrupt`). */
		deleteFromQueue: (request: { promptIds: string[] } & CallOptions) =>
			post('queue', { delete: request.promptIds }, request),
		clearQueue: (call?: CallOptions) => post('queue', { clear: true }, call),
		/** Stops the running prompt; with `promptId`, only if that one is running. */
		interrupt: (request: { promptId?: string } & CallOptions = {}) =>
			post(
				'interrupt',
				request.promptId ? { prompt_id: request.promptId } : {},
				request,
				Boolean(request.promptId)
			),

		getHistory: (request: { maxItems?: number; offset?: number } & CallOptions = {}): Promise<History> =>
			get('history', zHistory, request, { max_items: request.maxItems, offset: request.offset }),
		/** One prompt's history entry, or undefined when the server does not know it (yet, or any more). */
		async getHistoryEntry(request: { promptId: string } & CallOptions): Promise<HistoryEntry | undefined> {
			const history = await get(`history/${encodeURIComponent(request.promptId)}`, zHistory, request);
			return history[request.promptId];
		},
		deleteHistory: (request: { promptIds: string[] } & CallOptions) =>
			post('history', { delete: request.promptIds }, request),
		clearHistory: (call?: CallOptions) => post('history', { clear: true }, call),

		/** `GET /api/jobs`, or the same built from `/queue` + `/history` on servers without it. */
		listJobs: async (request: ListJobsOptions = {}): Promise<JobList> =>
			(await routes()).listJobs(context, api, request),
		/** One job (`/api/jobs/{id}` or queue + history), or undefined when the server does not know it. */
		async getJob(request: { promptId: string } & CallOptions): Promise<JobDetail | undefined> {
			if (jobsRoute.known !== false) {
				try {
					const job = await http.request({
						method: 'GET',
						path: `jobs/${encodeURIComponent(request.promptId)}`,
						schema: zJobDetail,
						...pick(request)
					});
					jobsRoute.known = true;
					return job;
				} catch (error) {
					if (!(error instanceof ComfyHttpError && error.status === 404)) throw error;
					// A JSON 404 ({"error": "Job not found"}) is the route answering; a plain 404 means no route.
					if (isJsonObject(error.body)) {
						jobsRoute.known = true;
						return undefined;
					}
					jobsRoute.known = false;
				}
			}
			const [queue, entry] = await Promise.all([api.getQueue(request), api.getHistoryEntry(request)]);
			return (await jobsFallback()).jobFromQueueAndHistory(request.promptId, queue, entry);
		},
		/** Whether the server has `/api/jobs` (undefined until a jobs call was made). */
		get hasJobsRoute(): boolean | undefined {
			return jobsRoute.known;
		},

		/** URL of a file, for `<img src>` (carries the token as a query parameter, since tags cannot send headers). */
		viewUrl(request: ViewOptions): string {
			return http.url('view', {
				filename: request.filename,
				subfolder: request.subfolder ?? '',
				type: request.type ?? 'output',
				preview: request.preview,
				channel: request.channel,
				token: http.token
			});
		},
		/** `GET /view`: the file's bytes. */
		view: (request: ViewOptions & CallOptions): Promise<Blob> =>
			http.request({
				method: 'GET',
				path: 'view',
				expect: 'blob',
				query: {
					filename: request.filename,
					subfolder: request.subfolder ?? '',
					type: request.type ?? 'output',
					preview: request.preview,
					channel: request.channel
				},
				...pick(request),
				// ComfyUI answers a subfolder outside its folders with an empty 403, like its Origin check (a_connect).
				// Here it is about the file: a page the Origin check refuses fails every call before it asks for one.
				mapError: (status, body) =>
					status === 403
						? new ComfyHttpError({
								status,
								route: 'GET /api/view',
								body,
								message: `GET /api/view refused "${request.subfolder ? `${request.subfolder}/` : ''}${request.filename}" (HTTP 403).`,
								hint: 'ComfyUI serves only files inside its input, output and temp folders: check the subfolder and file name.'
							})
						: undefined
			}),

		// The routes no job needs load their code (and schemas) on their first call: see api-routes.ts.
		hasFile: async (request: ViewOptions & CallOptions): Promise<boolean> =>
			(await routes()).hasFile(context, request),
		uploadImage: async (request: UploadOptions): Promise<UploadResponse> =>
			(await routes()).uploadImage(context, request),
		uploadMask: async (request: UploadOptions & { originalRef: FileRef }): Promise<UploadResponse> =>
			(await routes()).uploadMask(context, request),
		getSystemStats: async (call?: CallOptions): Promise<SystemStats> =>
			(await routes()).getSystemStats(context, call),
		getObjectInfo: async (call?: CallOptions): Promise<ObjectInfo> =>
			(await routes()).getObjectInfo(context, call),
		getNodeInfo: async (
			request: { classType: string } & CallOptions
		): Promise<ObjectInfo[string] | undefined> => (await routes()).getNodeInfo(context, request),
		getModelFolders: async (call?: CallOptions): Promise<string[]> =>
			(await routes()).getModelFolders(context, call),
		getModels: async (request: { folder: string } & CallOptions): Promise<string[]> =>
			(await routes()).getModels(context, request),
		getEmbeddings: async (call?: CallOptions): Promise<string[]> =>
			(await routes()).getEmbeddings(context, call),
		getExtensions: async (call?: CallOptions): Promise<string[]> =>
			(await routes()).getExtensions(context, call),
		getFeatures: async (call?: CallOptions): Promise<Features> => (await routes()).getFeatures(context, call),
		/** Unloads models and/or frees memory on the server. */
		free: (request: { unloadModels?: boolean; freeMemory?: boolean } & CallOptions = {}) =>
			post(
				'free',
				{ unload_models: request.unloadModels ?? false, free_memory: request.freeMemory ?? false },
				request
			)
	};
	return api;
}

export function pick(call: CallOptions = {}): CallOptions {
	return { signal: call.signal, timeoutMs: call.timeoutMs };
}

function isJsonObject(text: string): boolean {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null;
	} catch {
		return false;
	}
}
