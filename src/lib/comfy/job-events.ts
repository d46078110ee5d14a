/**
 * Pure functions that move a job record along as server messages and REST answers arrive. The socket only ever
 * moves a job to `running` and updates progress; the final state comes from REST (`readServerView`).
 */
import type { JobError, JobImage, JobProgress, JobRecord, JobStatus } from './job-store';
import { isTerminal } from './job-store';
import type { HistoryEntry, JobDetail, NodeOutput, WsMessage } from './schemas';
import { kindOfOutputFile, outputFileKey } from './output-kind';

const RANK: Record<JobStatus, number> = {
	pending: 0,
	queued: 1,
	running: 2,
	succeeded: 3,
	failed: 3,
	interrupted: 3,
	lost: 3
};

/** True when `next` is not a step back from `current` (a late POST answer must not undo `running`). */
export function isForward(current: JobStatus, next: JobStatus): boolean {
	return RANK[next] >= RANK[current];
}

/** Per-job bookkeeping that is not persisted. */
export interface JobRuntime {
	finished: Set<string>;
	cached: Set<string>;
}

export function newRuntime(): JobRuntime {
	return { finished: new Set(), cached: new Set() };
}

/** What a socket message means for a job: the updated record, and whether to confirm its end over REST. */
export interface EventEffect {
	job: JobRecord;
	/** `now`: the safe done signal (history is written); `soon`: an end message that may precede the history. */
	confirm?: 'now' | 'soon';
}

function progressOf(job: JobRecord, runtime: JobRuntime, patch: Partial<JobProgress> = {}): JobProgress {
	const nodesTotal = Object.keys(job.workflow).length;
	const done = new Set([...runtime.finished, ...runtime.cached]);
	return {
		...job.progress,
		...patch,
		nodesDone: Math.min(done.size, nodesTotal),
		nodesTotal,
		cachedNodes: runtime.cached.size
	};
}

function running(job: JobRecord, now: number, startedAt?: number): JobRecord {
	if (job.status === 'running' || isTerminal(job.status)) return job;
	return {
		...job,
		status: 'running',
		position: undefined,
		timings: { ...job.timings, started: job.timings.started ?? startedAt ?? now }
	};
}

/**
 * Applies one message that concerns `job` (the caller matched the prompt id). Returns undefined when the message
 * changes nothing.
 */
export function applyMessage(
	job: JobRecord,
	runtime: JobRuntime,
	message: WsMessage,
	now: number
): EventEffect | undefined {
	if (isTerminal(job.status)) return undefined;
	switch (message.type) {
		case 'execution_start':
			return { job: { ...running(job, now, message.data.timestamp), progress: progressOf(job, runtime) } };
		case 'execution_cached': {
			for (const node of message.data.nodes) runtime.cached.add(node);
			const next = running(job, now);
			return { job: { ...next, progress: progressOf(next, runtime) } };
		}
		case 'executing': {
			const { node } = message.data;
			if (node === null) return { job, confirm: 'now' };
			const previous = job.progress?.node;
			if (previous && previous !== node) runtime.finished.add(previous);
			const next = running(job, now);
			return {
				job: {
					...next,
					progress: progressOf(next, runtime, {
						node,
						nodeType: job.workflow[node]?.class_type,
						value: undefined,
						max: undefined
					})
				}
			};
		}
		case 'progress': {
			const next = running(job, now);
			const node = message.data.node ?? next.progress?.node;
			return {
				job: {
					...next,
					progress: progressOf(next, runtime, {
						node: node ?? undefined,
						nodeType: node ? job.workflow[node]?.class_type : undefined,
						value: message.data.value,
						max: message.data.max
					})
				}
			};
		}
		case 'progress_state': {
			let current: string | undefined;
			for (const [id, state] of Object.entries(message.data.nodes)) {
				if (state.state === 'finished') runtime.finished.add(state.display_node_id ?? id);
				else if (state.state === 'running') current = state.display_node_id ?? id;
			}
			const next = running(job, now);
			const patch: Partial<JobProgress> = {};
			if (current && current !== next.progress?.node) {
				patch.node = current;
				patch.nodeType = job.workflow[current]?.class_type;
				patch.value = undefined;
				patch.max = undefined;
			}
			return { job: { ...next, progress: progressOf(next, runtime, patch) } };
		}
		case 'executed': {
			runtime.finished.add(message.data.node);
			const next = running(job, now);
			const output = message.data.output ?? {};
			const images = imagesOf(message.data.node, output);
			// Text (PreviewAny, captions) shows while the job runs, not only once its history is read.
			const texts = Array.isArray(output.text)
				? { ...next.texts, [message.data.node]: output.text }
				: next.texts;
			return {
				job: {
					...next,
					outputs: mergeImages(next.outputs, images),
					...(texts ? { texts } : {}),
					progress: progressOf(next, runtime)
				}
			};
		}
		case 'execution_success': {
			// Every node of the prompt ran: nodes it skipped (unused by any output) count as done too.
			const nodesTotal = Object.keys(job.workflow).length;
			const progress = { ...progressOf(job, runtime), nodesDone: nodesTotal };
			return { job: { ...job, progress }, confirm: 'soon' };
		}
		case 'execution_error':
		case 'execution_interrupted':
			return { job, confirm: 'soon' };
		default:
			return undefined;
	}
}

/** What the server says about a job over REST. */
export type ServerView =
	| { kind: 'unknown' }
	| { kind: 'queued'; number?: number }
	| { kind: 'running' }
	| {
			kind: 'done';
			status: 'succeeded' | 'failed' | 'interrupted';
			/** Undefined when the answer had no outputs (a summary): read the history entry. */
			outputs?: Record<string, NodeOutput>;
			error?: JobError;
			started?: number;
			finished?: number;
	  };

/** Reads `/api/jobs/{id}` (or its queue + history stand-in). */
export function readServerView(detail: JobDetail | undefined): ServerView {
	if (!detail) return { kind: 'unknown' };
	switch (detail.status) {
		case 'pending':
			return { kind: 'queued', number: detail.priority };
		case 'in_progress':
			return { kind: 'running' };
	}
	const messages = detail.execution_status?.messages ?? [];
	const interrupted =
		detail.status === 'cancelled' ||
		detail.status === 'interrupted' ||
		messages.some(([type]) => type === 'execution_interrupted');
	const errorData =
		(detail.execution_error as Record<string, unknown> | null | undefined) ??
		(messages.find(([type]) => type === 'execution_error')?.[1] as Record<string, unknown> | undefined);
	const status = detail.status === 'completed' ? 'succeeded' : interrupted ? 'interrupted' : 'failed';
	return {
		kind: 'done',
		status,
		outputs: detail.outputs,
		error:
			status === 'failed'
				? errorFromExecution(errorData)
				: status === 'interrupted'
					? {
							kind: 'interrupted',
							message: 'The job was interrupted.',
							hint: 'Queue it again to run it once more.'
						}
					: undefined,
		started: detail.execution_start_time ?? undefined,
		finished: detail.execution_end_time ?? undefined
	};
}

/** Outputs of a history entry. */
export function outputsOfHistory(entry: HistoryEntry | undefined): Record<string, NodeOutput> {
	return entry?.outputs ?? {};
}

function errorFromExecution(data: Record<string, unknown> | undefined): JobError {
	if (!data) return { kind: 'execution', message: 'The job failed on the server.' };
	const str = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
	const nodeId = str('node_id');
	const nodeType = str('node_type');
	const exceptionType = str('exception_type');
	const exceptionMessage = str('exception_message');
	const traceback = Array.isArray(data.traceback)
		? data.traceback.filter((line): line is string => typeof line === 'string')
		: [];
	return {
		kind: 'execution',
		message: `Node ${nodeId ?? '?'}${nodeType ? ` (${nodeType})` : ''} failed: ${exceptionType ? `${exceptionType}: ` : ''}${exceptionMessage?.trim() ?? 'unknown error'}`,
		hint: 'Check that node’s inputs and the models it needs on the server; the traceback has the details.',
		nodeId,
		nodeType,
		exceptionType,
		exceptionMessage,
		traceback
	};
}

// Keys of a node's output that are flags or values, never lists of files.
const NOT_FILE_KEYS = new Set(['animated', 'text']);

/**
 * The files of one node's output, each with its kind: `images` (stills, but also SaveVideo's mp4 and animated
 * WebP with `animated: [true]`), `gifs` (VideoHelperSuite, with a `format`), `audio`, and any other key a custom
 * node invents whose items name a file.
 */
export function imagesOf(nodeId: string, output: NodeOutput): JobImage[] {
	const flags = Array.isArray(output.animated) ? (output.animated as unknown[]) : [];
	return Object.entries(output).flatMap(([key, value]) => {
		if (NOT_FILE_KEYS.has(key) || !Array.isArray(value)) return [];
		return value.flatMap((item: unknown, index): JobImage[] => {
			if (!isFileItem(item)) return [];
			const format = typeof item.format === 'string' ? item.format : undefined;
			// ComfyUI sends one `animated` flag for the node's whole list; VideoHelperSuite's gifs always move.
			const animated = key === 'gifs' || (flags[index] ?? flags[0]) === true;
			return [
				{
					filename: item.filename,
					subfolder: typeof item.subfolder === 'string' ? item.subfolder : '',
					type: typeof item.type === 'string' ? item.type : 'output',
					nodeId,
					kind: kindOfOutputFile({ key, filename: item.filename, animated, format }),
					...(format ? { format } : {})
				}
			];
		});
	});
}

function isFileItem(item: unknown): item is { filename: string } & Record<string, unknown> {
	return (
		typeof item === 'object' && item !== null && typeof (item as { filename?: unknown }).filename === 'string'
	);
}

/** All files of a prompt's outputs, in node order. */
export function imagesOfOutputs(outputs: Record<string, NodeOutput>): JobImage[] {
	return Object.entries(outputs).flatMap(([nodeId, output]) => imagesOf(nodeId, output));
}

/** Text outputs (`ui.text`, e.g. PreviewAny) per node. */
export function textsOfOutputs(outputs: Record<string, NodeOutput>): Record<string, unknown[]> | undefined {
	const texts = Object.entries(outputs).filter(([, output]) => Array.isArray(output.text));
	return texts.length ? Object.fromEntries(texts.map(([id, output]) => [id, output.text ?? []])) : undefined;
}

/** Adds images not already present (same file = same image, whichever node reported it first). */
export function mergeImages(existing: JobImage[], added: JobImage[]): JobImage[] {
	const seen = new Set(existing.map(outputFileKey));
	const out = [...existing];
	for (const image of added) {
		if (seen.has(outputFileKey(image))) continue;
		seen.add(outputFileKey(image));
		out.push(image);
	}
	return out;
}
