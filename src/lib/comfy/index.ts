/**
 * Comfy Deck's protocol core: a framework-free ComfyUI client for Node and browsers.
 * Import from here (`$lib/comfy`), not from the files. The exceptions load on demand and a value re-export here
 * would put them in every bundle: `jobs-fallback.ts` (jobs from queue + history, for servers without /api/jobs)
 * and the schemas of `route-schemas.ts` (their types are exported here).
 */
export * from './errors';
export * from './schemas';
// Types only: the values load with the routes that read them (api-routes.ts); a value re-export here would put
// them in every bundle that imports the core.
export type {
	JobList,
	NodeDef,
	ObjectInfo,
	PromptInfo,
	StringList,
	SystemStats,
	UploadResponse
} from './route-schemas';
export { createLogger, type LogEntry, type LogLevel, type Logger } from './logger';
export { backoffDelay, createBackoff, type Backoff, type BackoffOptions } from './backoff';
export {
	createHttpClient,
	normalizeBaseUrl,
	type CallOptions,
	type HttpClient,
	type HttpClientOptions,
	type HttpRequest
} from './http';
export { validationErrorFromBody } from './prompt-refusal';
export {
	createComfyApi,
	type ComfyApi,
	type ListJobsOptions,
	type QueuePromptOptions,
	type UploadOptions,
	type ViewOptions
} from './api';
export { isCrossOrigin, isLoopbackHost, isMixedContent } from './diagnose';
export { probeServer, type ProbeServerOptions, type ProbeServerResult } from './probe-server';
export {
	decodeBinaryFrame,
	MalformedFrameError,
	type BinaryFrame,
	type PreviewFrame,
	type ProgressTextFrame
} from './binary-frames';
export { claimClientId, uuidv4, type ChannelLike, type ClientIdClaim, type StorageLike } from './client-id';
export type {
	ComfyEvent,
	ComfyEventListener,
	ConnectedEvent,
	CustomEvent,
	PreviewEvent,
	ProgressTextEvent,
	SocketState,
	StateEvent
} from './events';
export {
	browserEnvironment,
	createComfySocket,
	socketUrl,
	type ComfySocket,
	type ComfySocketOptions,
	type ResumeEvent,
	type SessionEnvironment,
	type SocketEvent,
	type WebSocketConstructor,
	type WebSocketLike
} from './socket';
export {
	createMemoryJobStore,
	isTerminal,
	TERMINAL_STATUSES,
	type JobError,
	type JobImage,
	type JobMetadata,
	type JobProgress,
	type JobRecord,
	type JobStatus,
	type JobStatus as JobState,
	type JobStore
} from './job-store';
export {
	createJobTracker,
	type JobChange,
	type JobTracker,
	type JobTrackerOptions,
	type SubmitOptions
} from './job-tracker';
export {
	errorOf,
	generateImage,
	textOf,
	workflowId,
	type GeneratedImage,
	type GenerateImageOptions,
	type GenerationPreview,
	type GenerationProgress,
	type GenerationResult
} from './generate-image';
export { pendingInRunOrder, type QueueItem } from './queue-positions';
export { readImageSize } from './image-size';
export {
	createMask,
	encodeMaskPng,
	invertMask,
	paintStroke,
	maskFilename,
	maskFromRgba,
	maskToRgba,
	maskValuesAsServerReads,
	type MaskBitmap
} from './mask';
export {
	extensionOf,
	kindOfOutputFile,
	outputFileKey,
	mimeOfFilename,
	OUTPUT_KINDS,
	uploadFlagOfKind,
	type OutputFileFacts,
	type OutputKind
} from './output-kind';
export { createComfyClient, type ComfyClient, type ComfyClientOptions } from './client';
export { issueMessage, parse, safeParse } from './parse';
