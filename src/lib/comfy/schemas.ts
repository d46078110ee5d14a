/**
 * Schemas for every ComfyUI response and WebSocket frame the core reads, built from the recorded transcripts
 * (tests/fixtures/comfyui/transcripts). Objects are loose: fields a newer server adds pass through untouched.
 * Written with the core's own guard.ts (zod/mini's names and behaviour), so importing the core does not ship zod.
 */
import * as z from './guard';

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

/** A file a node produced or an upload created: fetch it with `/api/view`. */
export const zFileRef = z.looseObject({
	filename: z.string(),
	subfolder: z._default(z.string(), ''),
	type: z._default(z.string(), 'output')
});
export type FileRef = z.infer<typeof zFileRef>;

/** One node's UI output (`executed.output`, `history.outputs[id]`): images, text and whatever else it sends. */
export const zNodeOutput = z.looseObject({
	images: z.optional(z.array(zFileRef)),
	gifs: z.optional(z.array(zFileRef)),
	audio: z.optional(z.array(zFileRef)),
	text: z.optional(z.array(z.unknown()))
});
export type NodeOutput = z.infer<typeof zNodeOutput>;

/** A link in an API workflow: `[node id, output index]`. */
export const zLink = z.tuple([z.string(), z.number()]);

/** One node of an API-format workflow. */
export const zApiNode = z.looseObject({
	class_type: z.string(),
	inputs: z.record(z.string(), z.unknown()),
	_meta: z.optional(z.looseObject({ title: z.optional(z.string()) }))
});
export type ApiNode = z.infer<typeof zApiNode>;

/** An API-format workflow (what `POST /prompt` takes): node id → node. */
export const zApiWorkflow = z.record(z.string(), zApiNode);
export type ApiWorkflow = z.infer<typeof zApiWorkflow>;

// ---------------------------------------------------------------------------------------------------------------
// REST

/** `POST /api/prompt` 200 answer. `node_errors` is non-empty when only part of the workflow will run. */
export const zPromptResponse = z.looseObject({
	prompt_id: z.string(),
	number: z.number(),
	node_errors: z._default(z.record(z.string(), z.unknown()), {})
});
export type PromptResponse = z.infer<typeof zPromptResponse>;

/** One error ComfyUI found in one node input. */
export const zNodeErrorItem = z.looseObject({
	type: z.string(),
	message: z.string(),
	details: z._default(z.string(), ''),
	extra_info: z._default(z.looseObject({ input_name: z.optional(z.string()) }), {})
});
export type NodeErrorItem = z.infer<typeof zNodeErrorItem>;

/** `node_errors[id]` of a 400 (or a partly accepted 200) answer to `POST /prompt`. */
export const zNodeError = z.looseObject({
	errors: z.array(zNodeErrorItem),
	dependent_outputs: z._default(z.array(z.string()), []),
	class_type: z.string()
});
export type NodeError = z.infer<typeof zNodeError>;

/** `POST /api/prompt` 400 body. */
export const zPromptErrorBody = z.looseObject({
	error: z.looseObject({
		type: z.string(),
		message: z.string(),
		details: z._default(z.string(), ''),
		extra_info: z._default(z.record(z.string(), z.unknown()), {})
	}),
	node_errors: z._default(z.record(z.string(), zNodeError), {})
});
export type PromptErrorBody = z.infer<typeof zPromptErrorBody>;

/** A queue item: `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export const zQueueItem = z.tuple(
	[z.number(), z.string(), z.record(z.string(), z.unknown()), z.record(z.string(), z.unknown())],
	z.unknown()
);
export type QueueItem = z.infer<typeof zQueueItem>;

/** `GET /api/queue`. */
export const zQueue = z.looseObject({
	queue_running: z.array(zQueueItem),
	queue_pending: z.array(zQueueItem)
});
export type Queue = z.infer<typeof zQueue>;

/** `status` of a history entry. Interrupted and failed prompts both say `error`. */
export const zHistoryStatus = z.looseObject({
	status_str: z.string(),
	completed: z.boolean(),
	messages: z._default(z.array(z.tuple([z.string(), z.unknown()])), [])
});
export type HistoryStatus = z.infer<typeof zHistoryStatus>;

/** One prompt in `/api/history`. */
export const zHistoryEntry = z.looseObject({
	prompt: z.array(z.unknown()),
	outputs: z._default(z.record(z.string(), zNodeOutput), {}),
	status: z.optional(zHistoryStatus),
	meta: z.optional(z.record(z.string(), z.unknown()))
});
export type HistoryEntry = z.infer<typeof zHistoryEntry>;

/** `GET /api/history` and `/api/history/{id}`: prompt id → entry (`{}` when unknown). */
export const zHistory = z.record(z.string(), zHistoryEntry);
export type History = z.infer<typeof zHistory>;

/** Status of a job in `/api/jobs` (the server's view; the tracker's own states are `JobStatus`). */
export const zServerJobStatus = z.enum(['pending', 'in_progress', 'completed', 'failed']);
export type ServerJobStatus = z.infer<typeof zServerJobStatus>;

/** One job summary in `/api/jobs` (newer servers). */
export const zJobSummary = z.looseObject({
	id: z.string(),
	status: z.string(),
	priority: z.optional(z.number()),
	create_time: z.optional(z.number()),
	execution_start_time: z.optional(z.nullable(z.number())),
	execution_end_time: z.optional(z.nullable(z.number())),
	outputs_count: z.optional(z.number()),
	preview_output: z.optional(
		z.nullable(
			z.looseObject({ filename: z.string(), subfolder: z.optional(z.string()), type: z.optional(z.string()) })
		)
	)
});
export type JobSummary = z.infer<typeof zJobSummary>;

/** `GET /api/jobs/{id}`: the summary plus outputs, status messages, error and workflow. */
export const zJobDetail = z.extend(zJobSummary, {
	outputs: z.optional(z.record(z.string(), zNodeOutput)),
	execution_status: z.optional(zHistoryStatus),
	execution_error: z.optional(z.nullable(z.looseObject({}))),
	workflow: z.optional(z.looseObject({}))
});
export type JobDetail = z.infer<typeof zJobDetail>;

/** `GET /api/features` (and the WS `feature_flags` reply). */
export const zFeatures = z.looseObject({
	supports_preview_metadata: z.optional(z.boolean()),
	max_upload_size: z.optional(z.number())
});
export type Features = z.infer<typeof zFeatures>;

// ---------------------------------------------------------------------------------------------------------------
// WebSocket text frames: `{type, data}`

export const zStatusData = z.looseObject({
	status: z.optional(z.looseObject({ exec_info: z.looseObject({ queue_remaining: z.number() }) })),
	sid: z.optional(z.string())
});
export type StatusData = z.infer<typeof zStatusData>;

export const zExecutionStartData = z.looseObject({
	prompt_id: z.string(),
	timestamp: z.optional(z.number())
});
export type ExecutionStartData = z.infer<typeof zExecutionStartData>;

export const zExecutionCachedData = z.looseObject({
	nodes: z.array(z.string()),
	prompt_id: z.string(),
	timestamp: z.optional(z.number())
});
export type ExecutionCachedData = z.infer<typeof zExecutionCachedData>;

/** `node: null` means the prompt finished (history is written by then). `prompt_id` is missing on a reconnect. */
export const zExecutingData = z.looseObject({
	node: z.nullable(z.string()),
	display_node: z.optional(z.nullable(z.string())),
	prompt_id: z.optional(z.nullable(z.string()))
});
export type ExecutingData = z.infer<typeof zExecutingData>;

export const zProgressData = z.looseObject({
	value: z.number(),
	max: z.number(),
	prompt_id: z.optional(z.nullable(z.string())),
	node: z.optional(z.nullable(z.string()))
});
export type ProgressData = z.infer<typeof zProgressData>;

export const zNodeProgressState = z.looseObject({
	value: z.number(),
	max: z.number(),
	state: z.string(),
	node_id: z.string(),
	display_node_id: z.optional(z.nullable(z.string())),
	parent_node_id: z.optional(z.nullable(z.string())),
	real_node_id: z.optional(z.nullable(z.string()))
});
export type NodeProgressState = z.infer<typeof zNodeProgressState>;

export const zProgressStateData = z.looseObject({
	prompt_id: z.string(),
	nodes: z.record(z.string(), zNodeProgressState)
});
export type ProgressStateData = z.infer<typeof zProgressStateData>;

export const zExecutedData = z.looseObject({
	node: z.string(),
	display_node: z.optional(z.nullable(z.string())),
	output: z._default(z.nullable(zNodeOutput), {}),
	prompt_id: z.string()
});
export type ExecutedData = z.infer<typeof zExecutedData>;

export const zExecutionSuccessData = z.looseObject({
	prompt_id: z.string(),
	timestamp: z.optional(z.number())
});
export type ExecutionSuccessData = z.infer<typeof zExecutionSuccessData>;

export const zExecutionErrorData = z.looseObject({
	prompt_id: z.string(),
	node_id: z.string(),
	node_type: z.string(),
	executed: z._default(z.array(z.string()), []),
	exception_message: z.string(),
	exception_type: z.string(),
	traceback: z._default(z.array(z.string()), []),
	// Can hold whole tensors as strings: never render these unbounded.
	current_inputs: z.optional(z.unknown()),
	current_outputs: z.optional(z.unknown()),
	timestamp: z.optional(z.number())
});
export type ExecutionErrorData = z.infer<typeof zExecutionErrorData>;

export const zExecutionInterruptedData = z.looseObject({
	prompt_id: z.string(),
	node_id: z.optional(z.nullable(z.string())),
	node_type: z.optional(z.nullable(z.string())),
	executed: z._default(z.array(z.string()), []),
	timestamp: z.optional(z.number())
});
export type ExecutionInterruptedData = z.infer<typeof zExecutionInterruptedData>;

/** Every known text frame, by its `type`. */
export const wsDataSchemas = {
	status: zStatusData,
	execution_start: zExecutionStartData,
	execution_cached: zExecutionCachedData,
	executing: zExecutingData,
	progress: zProgressData,
	progress_state: zProgressStateData,
	executed: zExecutedData,
	execution_success: zExecutionSuccessData,
	execution_error: zExecutionErrorData,
	execution_interrupted: zExecutionInterruptedData,
	feature_flags: zFeatures
} as const;

/** The outer shape of a text frame. */
export const zWsEnvelope = z.looseObject({ type: z.string(), data: z.unknown() });
export type WsEnvelope = z.infer<typeof zWsEnvelope>;

/** A known text frame, decoded. */
export type WsMessage = {
	[K in keyof typeof wsDataSchemas]: { type: K; data: z.infer<(typeof wsDataSchemas)[K]> };
}[keyof typeof wsDataSchemas];
export type WsMessageType = WsMessage['type'];

/** Binary event 4 metadata. */
export const zPreviewMetadata = z.looseObject({
	prompt_id: z.optional(z.nullable(z.string())),
	node_id: z.optional(z.nullable(z.string())),
	display_node_id: z.optional(z.nullable(z.string())),
	parent_node_id: z.optional(z.nullable(z.string())),
	real_node_id: z.optional(z.nullable(z.string())),
	image_type: z.optional(z.string())
});
export type PreviewMetadata = z.infer<typeof zPreviewMetadata>;

// ---------------------------------------------------------------------------------------------------------------

/** Dotted path of an issue, e.g. `system.comfyui_version` or `queue_running.0.1`. */
export function issuePath(path: readonly PropertyKey[]): string {
	return path.length ? path.map((p) => String(p)).join('.') : '(root)';
}

/** Parses `value` or returns the wrong fields, for errors that name them. */
export function safeParseWith<T>(
	schema: z.Schema<T>,
	value: unknown
): { ok: true; value: T } | { ok: false; fields: string[]; detail: string } {
	const result = z.safeParse(schema, value);
	if (result.success) return { ok: true, value: result.data };
	const fields = result.error.issues.map((issue) => issuePath(issue.path));
	const detail = result.error.issues
		.slice(0, 3)
		.map((issue) => `${issuePath(issue.path)}: ${issue.message}`)
		.join('; ');
	return { ok: false, fields, detail };
}
