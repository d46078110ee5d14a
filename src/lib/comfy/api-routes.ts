/**
 * The REST routes no job needs (uploads, object_info, models, stats, features): `createComfyApi`'s methods load
 * this file on their first call, so code that only runs jobs (the protocol core's `generateImage`, the app's first
 * paint) does not carry them or their schemas.
 */
import type { CallOptions, HttpClient, QueryValue } from './http';
import type { Schema } from './guard';
import type { Logger } from './logger';
import type { ComfyApi, ListJobsOptions, UploadOptions, ViewOptions } from './api';
import { pick } from './api';
import { ComfyHttpError } from './errors';
import { zFeatures, type Features, type FileRef, type ServerJobStatus } from './schemas';
import {
	zObjectInfo,
	zPromptInfo,
	zStringList,
	zSystemStats,
	zUnknownRecord,
	zUploadResponse,
	type ObjectInfo,
	type PromptInfo,
	type SystemStats,
	type UploadResponse,
	zJobList,
	type JobList
} from './route-schemas';
import { parseObjectInfo } from './workflow/object-info';

/** What a route needs of its API: the transport, the log, and a checked GET. */
export interface RouteContext {
	http: HttpClient;
	logger?: Logger;
	get<T>(path: string, schema: Schema<T>, call?: CallOptions, query?: Record<string, QueryValue>): Promise<T>;
	/** Whether the server has `/api/jobs` (unknown until a jobs call was made), shared with `getJob`. */
	jobsRoute: { known?: boolean };
}

/** `GET /api/jobs`, or the same built from `/queue` + `/history` on servers without it. */
export async function listJobs(
	{ http, jobsRoute }: RouteContext,
	api: Pick<ComfyApi, 'getQueue' | 'getHistory'>,
	request: ListJobsOptions
): Promise<JobList> {
	if (jobsRoute.known !== false) {
		try {
			const list = await http.request({
				method: 'GET',
				path: 'jobs',
				schema: zJobList,
				query: {
					status: request.status?.join(','),
					sort_by: request.sortBy,
					sort_order: request.sortOrder,
					limit: request.limit,
					offset: request.offset
				},
				...pick(request)
			});
			jobsRoute.known = true;
			return list;
		} catch (error) {
			if (!(error instanceof ComfyHttpError && error.status === 404)) throw error;
			jobsRoute.known = false;
		}
	}
	const [queue, history, fallback] = await Promise.all([
		api.getQueue(request),
		api.getHistory(request),
		import('./jobs-fallback')
	]);
	let jobs = fallback.jobsFromQueueAndHistory(queue, history);
	if (request.status) jobs = jobs.filter((job) => request.status?.includes(job.status as ServerJobStatus));
	if (request.sortOrder === 'asc') jobs.reverse();
	const total = jobs.length;
	jobs = jobs.slice(
		request.offset ?? 0,
		request.limit === undefined ? undefined : (request.offset ?? 0) + request.limit
	);
	return {
		jobs,
		pagination: { offset: request.offset ?? 0, limit: request.limit ?? null, total, has_more: false }
	};
}

/** `GET /prompt`: how many prompts are left. */
export const getPromptInfo = ({ get }: RouteContext, call?: CallOptions): Promise<PromptInfo> =>
	get('prompt', zPromptInfo, call);

/**
 * Whether the server still has a file (a saved output named as an input must exist when the run loads it).
 * Asks `/view` for its first byte only (a `Range` the server answers with 206, m_media.json): a video is
 * not downloaded to learn it is there. A 404 (empty, a_connect) is no; any other failure throws.
 */
export async function hasFile({ http }: RouteContext, request: ViewOptions & CallOptions): Promise<boolean> {
	try {
		await http.request({
			method: 'GET',
			path: 'view',
			expect: 'empty',
			query: {
				filename: request.filename,
				subfolder: request.subfolder ?? '',
				type: request.type ?? 'output'
			},
			headers: { Range: 'bytes=0-0' },
			...pick(request)
		});
		return true;
	} catch (error) {
		if (error instanceof ComfyHttpError && error.status === 404) return false;
		throw error;
	}
}

/** `POST /upload/image`. A same-named different file is renamed by the server: use the returned name. */
export const uploadImage = ({ http }: RouteContext, request: UploadOptions): Promise<UploadResponse> =>
	http.request({
		method: 'POST',
		path: 'upload/image',
		form: uploadForm(request),
		schema: zUploadResponse,
		...pick(request)
	});

/** `POST /upload/mask`: `originalRef` is the image the mask belongs to. */
export function uploadMask(
	{ http }: RouteContext,
	request: UploadOptions & { originalRef: FileRef }
): Promise<UploadResponse> {
	const form = uploadForm(request);
	form.set('original_ref', JSON.stringify(request.originalRef));
	return http.request({
		method: 'POST',
		path: 'upload/mask',
		form,
		schema: zUploadResponse,
		...pick(request)
	});
}

export const getSystemStats = ({ get }: RouteContext, call?: CallOptions): Promise<SystemStats> =>
	get('system_stats', zSystemStats, call);

/** Every node class. A class whose definition is malformed is left out (and logged), not fatal. */
export async function getObjectInfo({ get, logger }: RouteContext, call?: CallOptions): Promise<ObjectInfo> {
	const json = await get('object_info', zUnknownRecord, { timeoutMs: 120_000, ...call });
	const { objectInfo, skipped } = parseObjectInfo({ json });
	if (skipped.length)
		logger?.warn('http', `object_info: skipped malformed node classes ${skipped.join(', ')}`);
	return objectInfo;
}

/** One node class; undefined when the server has no such class. */
export async function getNodeInfo(
	{ get }: RouteContext,
	request: { classType: string } & CallOptions
): Promise<ObjectInfo[string] | undefined> {
	const info = await get(`object_info/${encodeURIComponent(request.classType)}`, zObjectInfo, request);
	return info[request.classType];
}

export const getModelFolders = ({ get }: RouteContext, call?: CallOptions): Promise<string[]> =>
	get('models', zStringList, call);

/** File names in one model folder (a `ComfyHttpError` 404 for an unknown folder). */
export const getModels = (
	{ get }: RouteContext,
	request: { folder: string } & CallOptions
): Promise<string[]> => get(`models/${encodeURIComponent(request.folder)}`, zStringList, request);

export const getEmbeddings = ({ get }: RouteContext, call?: CallOptions): Promise<string[]> =>
	get('embeddings', zStringList, call);

export const getExtensions = ({ get }: RouteContext, call?: CallOptions): Promise<string[]> =>
	get('extensions', zStringList, call);

export const getFeatures = ({ get }: RouteContext, call?: CallOptions): Promise<Features> =>
	get('features', zFeatures, call);

function uploadForm(request: UploadOptions): FormData {
	const form = new FormData();
	form.set('image', request.file, request.filename);
	form.set('type', request.type ?? 'input');
	if (request.subfolder) form.set('subfolder', request.subfolder);
	if (request.overwrite) form.set('overwrite', 'true');
	return form;
}
