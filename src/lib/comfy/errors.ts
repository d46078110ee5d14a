/**
 * Typed errors of the protocol core. Every message says what happened in plain language and, where the user can
 * do something about it, `hint` says what to do.
 */

/** Base class: every error thrown by the core is a `ComfyError`. */
export class ComfyError extends Error {
	// Each class names itself in a string: a minifier renames classes, and `new.target.name` then said "b".
	override name = 'ComfyError';
	/** What the user can do about it, when there is something to do. */
	readonly hint?: string;

	constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.hint = options.hint;
	}
}

/** Why a server could not be talked to. */
export type ConnectionDiagnosis =
	| 'unreachable'
	| 'cors'
	| 'origin-check'
	| 'mixed-content'
	| 'not-comfyui'
	| 'auth'
	| 'timeout'
	| 'unsafe-port';

/** The server could not be reached or refused this page; `diagnosis` says which way. */
export class ComfyConnectionError extends ComfyError {
	override name = 'ComfyConnectionError';
	readonly diagnosis: ConnectionDiagnosis;
	/** The base URL of the server. */
	readonly baseUrl: string;
	/** The HTTP status, when the server answered at all. */
	readonly status?: number;
	declare readonly hint: string;

	constructor(options: {
		diagnosis: ConnectionDiagnosis;
		baseUrl: string;
		message: string;
		hint: string;
		status?: number;
		cause?: unknown;
	}) {
		super(options.message, { hint: options.hint, cause: options.cause });
		this.diagnosis = options.diagnosis;
		this.baseUrl = options.baseUrl;
		this.status = options.status;
	}
}

/** The server answered with an HTTP error status (other than a prompt validation failure). */
export class ComfyHttpError extends ComfyError {
	override name = 'ComfyHttpError';
	readonly status: number;
	/** The route, e.g. `GET /api/queue`. */
	readonly route: string;
	/** The response body as text (cut to 2,000 characters). */
	readonly body: string;

	constructor(options: { status: number; route: string; body: string; message?: string; hint?: string }) {
		const body = options.body.length > 2000 ? `${options.body.slice(0, 2000)}…` : options.body;
		super(
			options.message ??
				`${options.route} failed: the server answered ${options.status}${body ? ` (${describeBody(body)})` : ''}.`,
			{ hint: options.hint }
		);
		this.status = options.status;
		this.route = options.route;
		this.body = body;
	}
}

/** A response or frame did not have the shape the protocol promises. */
export class ComfyProtocolError extends ComfyError {
	override name = 'ComfyProtocolError';
	readonly route: string;
	/** Dotted paths of the fields that were wrong, e.g. `system.comfyui_version`. */
	readonly fields: string[];

	constructor(options: { route: string; fields: string[]; detail: string; cause?: unknown }) {
		super(
			`${options.route} returned an unexpected answer (${options.detail}). Is this a ComfyUI server, and a recent one?`,
			{
				hint: 'Check that the address points at ComfyUI itself (not another web app) and that ComfyUI is up to date.',
				cause: options.cause
			}
		);
		this.route = options.route;
		this.fields = options.fields;
	}
}

/** One problem ComfyUI found with one input of one node when it checked a prompt. */
export interface ValidationIssue {
	/** The node id in the API workflow; undefined when the server only named it in `details`. */
	nodeId?: string;
	classType?: string;
	inputName?: string;
	/** ComfyUI's error type, e.g. `value_smaller_than_min`. */
	type: string;
	message: string;
	details: string;
}

/** `POST /prompt` answered 400: the workflow is not valid for this server. */
export class ComfyValidationError extends ComfyError {
	override name = 'ComfyValidationError';
	/** The top-level error type: `no_prompt`, `invalid_prompt`, `prompt_no_outputs`, `prompt_outputs_failed_validation`. */
	readonly type: string;
	readonly issues: ValidationIssue[];
	/** The raw 400 body. */
	readonly body: unknown;

	constructor(options: {
		type: string;
		message: string;
		details: string;
		issues: ValidationIssue[];
		body: unknown;
	}) {
		const first = options.issues[0];
		const where = first
			? ` ${describeIssue(first)}${options.issues.length > 1 ? ` (and ${options.issues.length - 1} more)` : ''}`
			: options.details
				? ` ${options.details}.`
				: '';
		super(`ComfyUI refused the workflow: ${options.message}.${where}`, {
			hint: 'Fix the inputs named above (or install the missing nodes/models on the server) and queue it again.'
		});
		this.type = options.type;
		this.issues = options.issues;
		this.body = options.body;
	}
}

/** A node raised an exception while the prompt ran. */
export class ComfyExecutionError extends ComfyError {
	override name = 'ComfyExecutionError';
	readonly promptId: string;
	readonly nodeId: string;
	readonly nodeType: string;
	readonly exceptionMessage: string;
	readonly exceptionType: string;
	readonly traceback: string[];

	constructor(options: {
		promptId: string;
		nodeId: string;
		nodeType: string;
		exceptionMessage: string;
		exceptionType: string;
		traceback: string[];
	}) {
		super(
			`Node ${options.nodeId} (${options.nodeType}) failed: ${options.exceptionType}: ${options.exceptionMessage.trim()}`,
			{
				hint: 'Check that node’s inputs and the models it needs on the server; the traceback has the details.'
			}
		);
		this.promptId = options.promptId;
		this.nodeId = options.nodeId;
		this.nodeType = options.nodeType;
		this.exceptionMessage = options.exceptionMessage;
		this.exceptionType = options.exceptionType;
		this.traceback = options.traceback;
	}
}

/** The prompt was interrupted (by this app, another client or the server). */
export class ComfyInterruptedError extends ComfyError {
	override name = 'ComfyInterruptedError';
	readonly promptId: string;
	readonly nodeId?: string;

	constructor(options: { promptId: string; nodeId?: string; nodeType?: string }) {
		super(
			`The job was interrupted${options.nodeId ? ` at node ${options.nodeId}${options.nodeType ? ` (${options.nodeType})` : ''}` : ''}.`,
			{ hint: 'Queue it again to run it once more.' }
		);
		this.promptId = options.promptId;
		this.nodeId = options.nodeId;
	}
}

/** A call or a job saw no sign of life for longer than its limit. */
export class ComfyTimeoutError extends ComfyError {
	override name = 'ComfyTimeoutError';
	/** What timed out, e.g. `GET /api/queue` or `job 1234…`. */
	readonly operation: string;
	readonly timeoutMs: number;

	constructor(options: { operation: string; timeoutMs: number; hint?: string }) {
		super(`${options.operation} got no answer within ${formatMs(options.timeoutMs)}.`, {
			hint:
				options.hint ?? 'The server may be overloaded or the network slow: try again, or raise the timeout.'
		});
		this.operation = options.operation;
		this.timeoutMs = options.timeoutMs;
	}
}

/**
 * The server no longer knows a job it had accepted (it restarted, or its queue and history were cleared); or, with
 * `received: false`, one whose send it never confirmed: most likely it never got it.
 */
export class ComfyJobLostError extends ComfyError {
	override name = 'ComfyJobLostError';
	readonly promptId: string;
	/** False when the server never confirmed the send (no answer to `POST /prompt`). */
	readonly received: boolean;

	constructor(options: { promptId: string; received?: boolean }) {
		const received = options.received ?? true;
		super(
			received
				? `The server no longer knows job ${options.promptId}: it was probably restarted.`
				: `The server never received job ${options.promptId}: it did not answer when it was sent, and does not know it now.`,
			{ hint: received ? 'Resubmit the job: its workflow is kept.' : 'Run it again: its workflow is kept.' }
		);
		this.promptId = options.promptId;
		this.received = received;
	}
}

/**
 * A queued job the server dropped while the socket that saw it stayed open: it was deleted or cleared from the
 * queue (the Queue view, another tab, ComfyUI's own page), not forgotten by a restart. The job ends `interrupted`.
 */
export class ComfyJobRemovedError extends ComfyError {
	override name = 'ComfyJobRemovedError';
	readonly promptId: string;

	constructor(options: { promptId: string }) {
		super('The job was removed from the server’s queue before it ran (deleted or cleared there).', {
			hint: 'Queue it again to run it.'
		});
		this.promptId = options.promptId;
	}
}

/**
 * Nothing was heard about a job (no message, no queue change) for longer than the tracker's silence limit. A
 * `ComfyTimeoutError` whose `timeoutMs` is that silence.
 */
export class ComfyJobTimeoutError extends ComfyTimeoutError {
	override name = 'ComfyJobTimeoutError';
	readonly promptId: string;

	constructor(options: { promptId: string; silenceMs?: number }) {
		const silenceMs = options.silenceMs ?? 0;
		super({
			operation: `Job ${options.promptId}`,
			timeoutMs: silenceMs,
			hint: 'The server may be stuck: check ComfyUI. If it finishes later, the result still shows up here.'
		});
		// An old record may not know how long the silence was: say so rather than "0 ms".
		this.message = `Nothing was heard about this job ${
			options.silenceMs === undefined ? 'for too long' : `for ${formatDuration(silenceMs)}`
		} (no messages, no queue change).`;
		this.promptId = options.promptId;
	}
}

/** The caller aborted the operation through its AbortSignal. */
export class ComfyAbortError extends ComfyError {
	// Generic abort checks (`error.name === 'AbortError'`) keep working.
	override name = 'AbortError';
	constructor(operation: string, cause?: unknown) {
		super(`${operation} was cancelled.`, { cause });
	}
}

/** Describes one validation issue in a sentence. */
export function describeIssue(issue: ValidationIssue): string {
	const node = issue.nodeId
		? `Node ${issue.nodeId}${issue.classType ? ` (${issue.classType})` : ''}`
		: 'A node';
	const input = issue.inputName ? `, input "${issue.inputName}"` : '';
	const details = issue.details && issue.details !== issue.inputName ? `: ${issue.details}` : '';
	return `${node}${input}: ${issue.message}${details}.`;
}

/**
 * A response body in one short line for a message. ComfyUI's bodies are short texts ("500 Internal Server
 * Error\n\nServer got itself in trouble") or JSON; a proxy's error page (nginx's 502) is HTML, shown by its title
 * rather than as markup.
 */
export function describeBody(text: string): string {
	if (/^\s*<(!doctype html|html|head|body)\b/i.test(text)) {
		const title =
			/<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1];
		const clean = title?.replace(/\s+/g, ' ').trim().slice(0, 120);
		return clean ? `an HTML page: “${clean}”` : 'an HTML page';
	}
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** A silence in words: seconds under a minute, whole minutes above. */
function formatDuration(ms: number): string {
	return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function formatMs(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
