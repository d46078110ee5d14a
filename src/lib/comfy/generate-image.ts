/**
 * The seed's one-call API: submit a workflow, follow it, and resolve with the images — on top of the job tracker,
 * so a dropped socket or a reload in between does not lose the result.
 */
import type { ComfyApi } from './api';
import { uuidv4 } from './client-id';
import {
	ComfyAbortError,
	ComfyError,
	ComfyExecutionError,
	ComfyInterruptedError,
	ComfyJobLostError,
	ComfyJobTimeoutError
} from './errors';
import { readImageSize } from './image-size';
import type { JobTracker } from './job-tracker';
import { isTerminal, type JobMetadata, type JobProgress, type JobRecord } from './job-store';
import type { Logger } from './logger';
import { kindOfOutputFile, type OutputKind } from './output-kind';
import type { ApiWorkflow } from './schemas';
import { errorMessage } from '../util/error-message';

/** Progress as `onProgress` reports it. */
export interface GenerationProgress extends JobProgress {
	promptId: string;
	status: JobRecord['status'];
	position?: number;
	/** Overall 0–1, from finished nodes and the current node's steps. */
	fraction: number;
}

/** A preview of the running job. */
export interface GenerationPreview {
	promptId: string;
	blob: Blob;
	mimeType: string;
	nodeId?: string;
}

/** One image of a finished generation. */
export interface GeneratedImage {
	filename: string;
	/** `subfolder/filename` inside the server's `type` folder. */
	path: string;
	subfolder: string;
	type: string;
	nodeId?: string;
	/** A URL that shows the image (`/api/view…`). */
	url: string;
	/** Pixel size; 0×0 when it could not be read (and for audio, text and other kinds). */
	size: { width: number; height: number };
	/** Still image, animated image, video, audio or other (refined by `/view`'s content type when measured). */
	kind: OutputKind;
	/** The content type `/view` answered with, when the file was fetched. */
	mime?: string;
}

/** The seed's result shape, plus the job's own metadata. */
export interface GenerationResult {
	promptId: string;
	/** A stable hash of the API workflow: the same workflow gives the same id. */
	workflowId: string;
	/** Every file the job produced, whatever its kind (the name stays for the seed's API). */
	images: GeneratedImage[];
	/** Text outputs (PreviewAny, captions) per node id, as the server sent them. */
	texts: Record<string, string[]>;
	metadata: { executionTime: number; timestamp: number; nodeCount: number } & JobMetadata;
}

export interface GenerateImageOptions {
	workflow: ApiWorkflow;
	/** `userInitials`, `style`, `tags`, anything else: kept with the job and returned in the result. */
	metadata?: JobMetadata;
	extraData?: Record<string, unknown>;
	front?: boolean;
	onProgress?: (progress: GenerationProgress) => void;
	onPreview?: (preview: GenerationPreview) => void;
	onComplete?: (result: GenerationResult) => void;
	onError?: (error: Error) => void;
	/** Aborting cancels the job on the server and rejects with an AbortError. */
	signal?: AbortSignal;
	/** Fetch each file to read its size and content type (default true). */
	measureImages?: boolean;
}

export async function generateImage(
	deps: { api: ComfyApi; jobs: JobTracker; logger?: Logger },
	options: GenerateImageOptions
): Promise<GenerationResult> {
	const { api, jobs } = deps;
	const id = uuidv4();
	// Listen before submitting: messages can beat the POST's answer.
	const stop = jobs.subscribe((change) => {
		if (change.job.id !== id) return;
		if (change.preview) {
			safely(() =>
				options.onPreview?.({
					promptId: id,
					blob: change.preview?.blob as Blob,
					mimeType: change.preview?.mimeType ?? 'image/jpeg',
					...(change.preview?.nodeId ? { nodeId: change.preview.nodeId } : {})
				})
			);
			return;
		}
		const { job, previous } = change;
		if (
			job.progress !== previous?.progress ||
			job.status !== previous?.status ||
			job.position !== previous?.position
		) {
			safely(() => options.onProgress?.(progressOf(job)));
		}
	});
	try {
		await jobs.submit({
			id,
			workflow: options.workflow,
			metadata: options.metadata,
			extraData: options.extraData,
			front: options.front,
			signal: options.signal
		});
		const job = await jobs.waitFor(id, { signal: options.signal });
		if (job.status !== 'succeeded') throw errorOf(job);
		const result = await resultOf(api, job, options.measureImages ?? true, options.signal);
		safely(() => options.onComplete?.(result));
		return result;
	} catch (error) {
		const err =
			error instanceof Error
				? error
				: new ComfyError(typeof error === 'string' ? error : 'The generation failed.');
		if (options.signal?.aborted) {
			// Do not leave the job running on the server for nobody.
			const job = jobs.get(id);
			if (job && !isTerminal(job.status)) await jobs.cancel(id).catch(() => undefined);
			const aborted = err instanceof ComfyAbortError ? err : new ComfyAbortError('The generation', err);
			safely(() => options.onError?.(aborted));
			throw aborted;
		}
		safely(() => options.onError?.(err));
		throw err;
	} finally {
		stop();
	}

	function safely(call: () => void) {
		try {
			call();
		} catch (error) {
			deps.logger?.error('generate', 'a callback threw', errorMessage(error));
		}
	}
}

function progressOf(job: JobRecord): GenerationProgress {
	const progress = job.progress ?? {
		nodesDone: 0,
		nodesTotal: Object.keys(job.workflow).length,
		cachedNodes: 0
	};
	const step = progress.max ? (progress.value ?? 0) / progress.max : 0;
	const fraction =
		job.status === 'succeeded'
			? 1
			: progress.nodesTotal
				? Math.min(1, (progress.nodesDone + (progress.node ? step : 0)) / progress.nodesTotal)
				: 0;
	return {
		...progress,
		promptId: job.id,
		status: job.status,
		fraction,
		...(job.position !== undefined ? { position: job.position } : {})
	};
}

/** The typed error for a job that ended without success. */
export function errorOf(job: JobRecord): Error {
	const error = job.error;
	switch (job.status) {
		case 'interrupted':
			return new ComfyInterruptedError({
				promptId: job.id,
				nodeId: error?.nodeId,
				nodeType: error?.nodeType
			});
		case 'lost':
			return new ComfyJobLostError({ promptId: job.id, received: error?.received });
		default:
			if (error?.kind === 'execution') {
				return new ComfyExecutionError({
					promptId: job.id,
					nodeId: error.nodeId ?? '?',
					nodeType: error.nodeType ?? '?',
					exceptionMessage: error.exceptionMessage ?? error.message,
					exceptionType: error.exceptionType ?? 'Error',
					traceback: error.traceback ?? []
				});
			}
			if (error?.kind === 'timeout') {
				return new ComfyJobTimeoutError({ promptId: job.id, silenceMs: error.silenceMs });
			}
			return new ComfyError(error?.message ?? `Job ${job.id} ended as ${job.status}.`, { hint: error?.hint });
	}
}

async function resultOf(
	api: ComfyApi,
	job: JobRecord,
	measure: boolean,
	signal: AbortSignal | undefined
): Promise<GenerationResult> {
	const images = await Promise.all(
		job.outputs.map(async (image): Promise<GeneratedImage> => {
			let size = { width: 0, height: 0 };
			let kind = image.kind ?? kindOfOutputFile({ filename: image.filename, format: image.format });
			let mime: string | undefined;
			if (measure) {
				try {
					const blob = await api.view({ ...image, signal });
					mime = blob.type || undefined;
					kind = kindOfOutputFile({
						filename: image.filename,
						format: image.format,
						animated: kind === 'animated',
						contentType: mime
					});
					if (kind === 'image' || kind === 'animated') {
						size = readImageSize(new Uint8Array(await blob.slice(0, 64 * 1024).arrayBuffer())) ?? size;
					}
				} catch {
					// The size is a nicety: the result stands without it.
				}
			}
			return {
				filename: image.filename,
				path: image.subfolder ? `${image.subfolder}/${image.filename}` : image.filename,
				subfolder: image.subfolder,
				type: image.type,
				...(image.nodeId ? { nodeId: image.nodeId } : {}),
				url: api.viewUrl(image),
				size,
				kind,
				...(mime ? { mime } : {})
			};
		})
	);
	const finished = job.timings.finished ?? Date.now();
	const started = job.timings.started ?? job.timings.queued ?? job.timings.created;
	return {
		promptId: job.id,
		workflowId: workflowId(job.workflow),
		images,
		texts: Object.fromEntries(
			Object.entries(job.texts ?? {}).map(([nodeId, values]) => [nodeId, values.map(textOf)])
		),
		metadata: {
			...job.metadata,
			executionTime: Math.max(0, finished - started),
			timestamp: finished,
			nodeCount: Object.keys(job.workflow).length
		}
	};
}

/** One text output as a string (PreviewAny sends strings; anything else is shown as JSON). */
export function textOf(value: unknown): string {
	return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
}

/** A short stable id of an API workflow (FNV-1a over its canonical JSON: key order does not matter). */
export function workflowId(workflow: ApiWorkflow): string {
	const canonical = (value: unknown): string => {
		if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
		if (value && typeof value === 'object') {
			return `{${Object.keys(value)
				.sort()
				.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
				.join(',')}}`;
		}
		return JSON.stringify(value) ?? 'null';
	};
	let hash = 0x811c9dc5;
	const text = canonical(workflow);
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return `wf-${hash.toString(16).padStart(8, '0')}`;
}
