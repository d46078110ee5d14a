/**
 * One entry point for everything a user can drop, pick or paste: API-format JSON, UI-format JSON, and PNG/WebP
 * images ComfyUI saved. Always answers with a discriminated union, never throws, and every message is plain
 * text (render it as text: file contents may hold markup).
 */
import type * as z from 'zod/mini';
import { checkWorkflow } from './check-workflow';
import { readComfyMetadata, sniffImageFormat } from './image-metadata';
import { isPlainObject, type ObjectInfo } from './object-info';
import { parseJsonSafely } from './safe-json';
import {
	quote,
	zApiWorkflow,
	zUiWorkflow,
	type ApiWorkflow,
	type UiWorkflow,
	type WorkflowIssue
} from './types';
import { uiToApi, type WidgetControl } from './ui-to-api';
import { safeParse } from '../parse';
import { plainZodIssues } from './zod-issues';
import { MAX_IMPORT_BYTES, MAX_IMPORT_NODES } from './limits';

export { formatPath } from './zod-issues';
export { MAX_IMPORT_BYTES, MAX_IMPORT_NODES };

export type ImportKind = 'api' | 'ui' | 'png' | 'webp';

export interface ImportError {
	code: string;
	message: string;
	/** Extra plain-text lines (e.g. the paths of shape errors). */
	details?: string[];
}

export type ImportResult =
	| {
			ok: true;
			kind: ImportKind;
			/** The workflow to run. */
			api: ApiWorkflow;
			/** The editor workflow, when the file had one (kept so the template can be reopened in ComfyUI). */
			ui?: UiWorkflow;
			/** A name for the template, from the file name. */
			suggestedName: string;
			/** Things that went oddly while reading or converting (the import still worked). */
			warnings: WorkflowIssue[];
			/** Problems with this server (`checkWorkflow`), when `objectInfo` was given. */
			issues: WorkflowIssue[];
			/** control_after_generate settings found in the editor workflow (seed modes). */
			controls: WidgetControl[];
	  }
	| { ok: false; error: ImportError };

/**
 * Reads one dropped/picked/pasted workflow. Give `bytes` for files and `text` for pasted text. Without
 * `objectInfo` an API workflow still imports (unchecked), but a UI workflow cannot be converted.
 */
export async function importWorkflowFile({
	name,
	bytes,
	text,
	objectInfo,
	maxBytes = MAX_IMPORT_BYTES
}: {
	name?: string;
	bytes?: ArrayBuffer | Uint8Array;
	text?: string;
	objectInfo?: ObjectInfo;
	maxBytes?: number;
}): Promise<ImportResult> {
	try {
		return await importUnsafe({ name, bytes, text, objectInfo, maxBytes });
	} catch (e) {
		// A bug must not surface as an unexplained exception in the drop zone.
		return fail(
			'internal',
			`The file could not be imported because of an unexpected error (${String(e).slice(0, 200)}).`
		);
	}
}

async function importUnsafe({
	name,
	bytes,
	text,
	objectInfo,
	maxBytes
}: {
	name?: string;
	bytes?: ArrayBuffer | Uint8Array;
	text?: string;
	objectInfo?: ObjectInfo;
	maxBytes: number;
}): Promise<ImportResult> {
	const suggestedName = nameFromFile(name);
	const size = bytes !== undefined ? bytes.byteLength : text !== undefined ? utf8Length(text, maxBytes) : 0;
	if (size > maxBytes) {
		return fail(
			'too-large',
			`${name ? `${quote(name)} is` : 'This is'} ${formatBytes(size)}; a workflow file can be at most ${formatBytes(maxBytes)}. Export the workflow (or save the image) again from ComfyUI.`
		);
	}
	if (bytes === undefined && text === undefined)
		return fail('empty', 'Nothing to import: the file is empty.');
	let source: string;
	if (bytes !== undefined) {
		const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
		if (view.length === 0) return fail('empty', `${name ? quote(name) : 'The file'} is empty.`);
		const format = sniffImageFormat({ bytes: view });
		if (format) return importImage({ bytes: view, format, objectInfo, suggestedName });
		const other = otherImageType(view);
		if (other) {
			return fail(
				'unsupported-image',
				`This is a ${other} image. ComfyUI stores workflows only in the PNG and WebP files it saves; drop one of those, or the workflow's .json file.`
			);
		}
		const decoded = decodeText(view);
		if (decoded === undefined) {
			return fail(
				'not-text',
				`${name ? quote(name) : 'The file'} is neither a workflow (.json) nor a PNG/WebP image from ComfyUI.`
			);
		}
		source = decoded;
	} else {
		source = text ?? '';
	}
	if (source.trim() === '') return fail('empty', 'Nothing to import: the text is empty.');
	const parsed = parseJsonSafely({ text: source.replace(/^\uFEFF/, '') });
	if (!parsed.ok) {
		return fail(
			'not-json',
			parsed.message,
			parsed.line ? [`line ${parsed.line}, column ${parsed.column}`] : undefined
		);
	}
	const warnings: WorkflowIssue[] = [];
	if (parsed.droppedKeys.length > 0) warnings.push(droppedKeysWarning(parsed.droppedKeys));
	return importJson({ value: parsed.value, objectInfo, suggestedName, warnings });
}

function importJson({
	value,
	objectInfo,
	suggestedName,
	warnings
}: {
	value: unknown;
	objectInfo?: ObjectInfo;
	suggestedName: string;
	warnings: WorkflowIssue[];
}): ImportResult {
	if (!isPlainObject(value)) {
		const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
		return fail(
			'wrong-shape',
			`This JSON is ${what}, not a ComfyUI workflow. Export the workflow from ComfyUI (Workflow → Export, or Export (API)).`
		);
	}
	// A saved POST /prompt body: {prompt: {...}, extra_data: {extra_pnginfo: {workflow}}}.
	if (isPlainObject(value.prompt) && !('class_type' in value.prompt)) {
		const extra = isPlainObject(value.extra_data) ? value.extra_data.extra_pnginfo : undefined;
		const ui = isPlainObject(extra) ? extra.workflow : undefined;
		return finishApi({ raw: value.prompt, rawUi: ui, kind: 'api', objectInfo, suggestedName, warnings });
	}
	if (Array.isArray(value.nodes))
		return importUi({ raw: value, kind: 'ui', objectInfo, suggestedName, warnings });
	const entries = Object.entries(value);
	if (entries.length > 0 && entries.some(([, n]) => isPlainObject(n) && 'class_type' in n)) {
		return finishApi({ raw: value, kind: 'api', objectInfo, suggestedName, warnings });
	}
	if (entries.length === 0) return fail('empty-workflow', 'The workflow has no nodes.');
	const keys = entries
		.slice(0, 5)
		.map(([k]) => quote(k, 30))
		.join(', ');
	return fail(
		'wrong-shape',
		`This JSON is not a ComfyUI workflow: it has neither "nodes" (editor format) nor nodes with a "class_type" (API format). Its keys are ${keys}${entries.length > 5 ? ', …' : ''}.`
	);
}

function importUi({
	raw,
	kind,
	objectInfo,
	suggestedName,
	warnings
}: {
	raw: unknown;
	kind: ImportKind;
	objectInfo?: ObjectInfo;
	suggestedName: string;
	warnings: WorkflowIssue[];
}): ImportResult {
	const parsed = safeParse(zUiWorkflow, raw);
	if (!parsed.success) return shapeFailure('editor (UI-format) workflow', parsed.error);
	const ui = parsed.data;
	const count = ui.nodes.length + (ui.definitions?.subgraphs ?? []).reduce((n, sg) => n + sg.nodes.length, 0);
	if (count > MAX_IMPORT_NODES) return tooManyNodes(count);
	if (ui.nodes.length === 0) return fail('empty-workflow', 'The workflow has no nodes.');
	if (!objectInfo) {
		return fail(
			'needs-server',
			'This is an editor (UI-format) workflow. Converting it needs the node definitions of a ComfyUI server: connect to your server first, then import it again (or export it from ComfyUI with "Export (API)").'
		);
	}
	const converted = uiToApi({ ui, objectInfo });
	if (!converted.ok) return fail(converted.error.code, converted.error.message);
	if (Object.keys(converted.api).length === 0) {
		return fail(
			'empty-workflow',
			'The workflow has no nodes that run on the server (only notes, groups or muted nodes).'
		);
	}
	return {
		ok: true,
		kind,
		api: converted.api,
		ui,
		suggestedName,
		warnings: [...warnings, ...converted.warnings],
		issues: checkWorkflow({ api: converted.api, objectInfo }),
		controls: converted.controls
	};
}

function finishApi({
	raw,
	rawUi,
	kind,
	objectInfo,
	suggestedName,
	warnings
}: {
	raw: unknown;
	rawUi?: unknown;
	kind: ImportKind;
	objectInfo?: ObjectInfo;
	suggestedName: string;
	warnings: WorkflowIssue[];
}): ImportResult {
	if (isPlainObject(raw) && Object.keys(raw).length > MAX_IMPORT_NODES)
		return tooManyNodes(Object.keys(raw).length);
	const parsed = safeParse(zApiWorkflow, raw);
	if (!parsed.success) return shapeFailure('API-format workflow', parsed.error);
	const api = parsed.data;
	if (Object.keys(api).length === 0) return fail('empty-workflow', 'The workflow has no nodes.');
	const uiParsed = rawUi === undefined ? undefined : safeParse(zUiWorkflow, rawUi);
	const ui = uiParsed?.success ? uiParsed.data : undefined;
	let controls: WidgetControl[] = [];
	if (ui) {
		copyTitles(api, ui);
		// The editor workflow tells which seeds were set to randomize/increment.
		if (objectInfo) {
			const converted = uiToApi({ ui, objectInfo });
			if (converted.ok) controls = converted.controls.filter((c) => Object.hasOwn(api, c.nodeId));
		}
	}
	return {
		ok: true,
		kind,
		api,
		ui,
		suggestedName,
		warnings,
		issues: objectInfo ? checkWorkflow({ api, objectInfo }) : [],
		controls
	};
}

async function importImage({
	bytes,
	format,
	objectInfo,
	suggestedName
}: {
	bytes: Uint8Array;
	format: 'png' | 'webp';
	objectInfo?: ObjectInfo;
	suggestedName: string;
}): Promise<ImportResult> {
	const meta = await readComfyMetadata({ bytes });
	if (!meta.ok) return fail(meta.error.code, meta.error.message);
	const warnings = [...meta.issues];
	if (meta.prompt) {
		// The prompt is exactly what the server ran: prefer it to re-converting the editor workflow.
		return finishApi({
			raw: meta.prompt,
			rawUi: meta.workflow,
			kind: format,
			objectInfo,
			suggestedName,
			warnings
		});
	}
	if (meta.workflow)
		return importUi({ raw: meta.workflow, kind: format, objectInfo, suggestedName, warnings });
	return fail(
		'no-metadata',
		`This ${format.toUpperCase()} image holds no ComfyUI workflow${warnings.length > 0 ? ' that could be read' : ''}. Only images saved by ComfyUI (Save Image, Save Animated WEBP) carry one, and many sites strip it on upload.`,
		warnings.map((w) => w.message)
	);
}

/** Copies editor titles into `_meta.title` where the API prompt has none (older frontends did not send them). */
function copyTitles(api: ApiWorkflow, ui: UiWorkflow): void {
	for (const node of ui.nodes) {
		const id = String(node.id);
		const target = Object.hasOwn(api, id) ? api[id] : undefined;
		if (target && node.title && !target._meta?.title) target._meta = { ...target._meta, title: node.title };
	}
}

function shapeFailure(what: string, error: z.core.$ZodError): ImportResult {
	const details = plainZodIssues(error);
	return fail(
		'wrong-shape',
		`This looks like a ComfyUI ${what}, but part of it has an unexpected shape (${details[0]}).`,
		details
	);
}

function droppedKeysWarning(keys: string[]): WorkflowIssue {
	return {
		severity: 'warning',
		code: 'unsafe-keys',
		message: `The file contained keys that are never part of a workflow (${keys.map((k) => quote(k)).join(', ')}); they were ignored.`
	};
}

function tooManyNodes(count: number): ImportResult {
	return fail(
		'too-many-nodes',
		`The workflow has ${count} nodes; at most ${MAX_IMPORT_NODES} are supported.`
	);
}

function fail(code: string, message: string, details?: string[]): ImportResult {
	return { ok: false, error: details && details.length > 0 ? { code, message, details } : { code, message } };
}

function otherImageType(bytes: Uint8Array): string | undefined {
	const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
	if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
	if (starts(0x47, 0x49, 0x46, 0x38)) return 'GIF';
	if (starts(0x42, 0x4d)) return 'BMP';
	if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp') return 'HEIC/AVIF';
	return undefined;
}

function decodeText(bytes: Uint8Array): string | undefined {
	try {
		const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		// NUL bytes mean binary data, not JSON text.
		return text.includes('\0') ? undefined : text;
	} catch {
		return undefined;
	}
}

/** UTF-8 size of `text`, computed exactly only when it could matter. */
function utf8Length(text: string, limit: number): number {
	if (text.length * 3 <= limit) return text.length;
	if (text.length > limit) return text.length;
	return new TextEncoder().encode(text).length;
}

function formatBytes(n: number): string {
	if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
	if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`;
	return `${n} bytes`;
}

function nameFromFile(name: string | undefined): string {
	const base = (name ?? '')
		.split(/[\\/]/)
		.pop()!
		.replace(/\.(json|png|webp)$/i, '')
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f]/g, '')
		.trim();
	return base.slice(0, 100) || 'Imported workflow';
}
