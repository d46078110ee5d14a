/**
 * Job records and where they are kept. A record is written (or noted in the store's journal) before its prompt is
 * sent, so a job survives a reload or a crash between "submitted" and "answered". IndexedDB implements `JobStore` in the app; the core ships an
 * in-memory one.
 */
import type { ValidationIssue } from './errors';
import type { OutputKind } from './output-kind';
import type { ApiWorkflow } from './schemas';

/**
 * Where a job is: `pending` (in the browser, not yet accepted) → `queued` → `running` → `succeeded` | `failed` |
 * `interrupted` | `lost` (the server no longer knows it, e.g. after a restart).
 */
export type JobStatus = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'lost';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'interrupted', 'lost'];

/** A file a job produced: an image, a video, an audio file or anything a custom node saves. */
export interface JobImage {
	filename: string;
	subfolder: string;
	/** `output` (SaveImage) or `temp` (PreviewImage). */
	type: string;
	/** The node that produced it. */
	nodeId?: string;
	/** What it is, from the output key, `animated`, `format` and extension (absent on records from before kinds). */
	kind?: OutputKind;
	/** A custom node's format string (VideoHelperSuite: `video/h264-mp4`). */
	format?: string;
}

/** Progress of a running job. */
export interface JobProgress {
	/** The node running now. */
	node?: string;
	/** Its class_type, when the workflow names it. */
	nodeType?: string;
	/** Steps of the current node (e.g. sampler steps). */
	value?: number;
	max?: number;
	/** Nodes finished, cached nodes included, out of all nodes of the workflow. */
	nodesDone: number;
	nodesTotal: number;
	cachedNodes: number;
}

/** Why a job did not succeed. */
export interface JobError {
	kind: 'validation' | 'execution' | 'interrupted' | 'lost' | 'http' | 'connection' | 'timeout' | 'unknown';
	message: string;
	hint?: string;
	nodeId?: string;
	nodeType?: string;
	exceptionType?: string;
	exceptionMessage?: string;
	traceback?: string[];
	issues?: ValidationIssue[];
	/** For `timeout`: how long nothing was heard about the job, in ms. */
	silenceMs?: number;
	/** For `lost`: false when the server never confirmed the send, so it most likely never got the job. */
	received?: boolean;
}

/** Free-form labels of a job (the seed's `userInitials` and `style`, tags, anything else). */
export interface JobMetadata {
	userInitials?: string;
	style?: string;
	tags?: string[];
	[key: string]: unknown;
}

/** Everything known about one job. Records are plain data (structured-cloneable). */
export interface JobRecord {
	/** The prompt id (a lowercase UUID v4 chosen by the client). */
	id: string;
	/** Base URL of the server the job belongs to. */
	serverUrl: string;
	/** The API workflow as sent. */
	workflow: ApiWorkflow;
	/** `extra_data` as sent (e.g. `extra_pnginfo.workflow`). */
	extraData?: Record<string, unknown>;
	front?: boolean;
	status: JobStatus;
	/** Place in the queue: 0 = runs next. */
	position?: number;
	/** The server's queue number. */
	number?: number;
	progress?: JobProgress;
	error?: JobError;
	outputs: JobImage[];
	/** Text outputs per node (`ui.text`). */
	texts?: Record<string, unknown[]>;
	/** Nodes the server refused while accepting the rest (`node_errors` of a 200). */
	partialErrors?: ValidationIssue[];
	timings: { created: number; submitted?: number; queued?: number; started?: number; finished?: number };
	metadata?: JobMetadata;
	/** How many times the prompt was POSTed (more than one only when a send's answer was lost and the id unknown). */
	attempts: number;
	/** The user asked to cancel it. */
	cancelRequested?: boolean;
	resubmittedFrom?: string;
	resubmittedAs?: string;
}

/** Where job records are persisted. All methods but `journal` are async (IndexedDB). */
export interface JobStore {
	put(record: JobRecord): Promise<void>;
	/**
	 * Optional: notes a new job at once, synchronously, where the next `list` finds it even if `put` never ends (the
	 * app: localStorage), so its prompt can be sent while `put` writes it. False when it could not be noted: the
	 * tracker then waits for `put` before sending.
	 */
	journal?(record: JobRecord): boolean;
	get(id: string): Promise<JobRecord | undefined>;
	/** All records, or those of one server. */
	list(options?: { serverUrl?: string }): Promise<JobRecord[]>;
	delete(id: string): Promise<void>;
}

/** A `JobStore` in memory (copies on the way in and out, like IndexedDB). */
export function createMemoryJobStore(): JobStore & { readonly size: number } {
	const records = new Map<string, JobRecord>();
	return {
		async put(record) {
			records.set(record.id, structuredClone(record));
		},
		async get(id) {
			const record = records.get(id);
			return record && structuredClone(record);
		},
		async list(options = {}) {
			return [...records.values()]
				.filter((record) => !options.serverUrl || record.serverUrl === options.serverUrl)
				.map((record) => structuredClone(record));
		},
		async delete(id) {
			records.delete(id);
		},
		get size() {
			return records.size;
		}
	};
}

export function isTerminal(status: JobStatus): boolean {
	return TERMINAL_STATUSES.includes(status);
}
