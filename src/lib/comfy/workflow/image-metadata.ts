/**
 * Reads the workflow ComfyUI embeds in the images it saves:
 * - PNG: `tEXt` (or `iTXt`/`zTXt`) chunks `prompt` (API JSON) and `workflow` (UI JSON);
 * - WebP: an `EXIF` chunk whose string tags hold `prompt:{…}` and `workflow:{…}` (SaveAnimatedWEBP / SaveWEBM).
 * Parsing of the containers is left to exifreader; this module only finds and validates the two JSON texts.
 */
// Loaded when an image is read, not with whoever imports the workflow barrel: it is ~35 KB gzipped, and the
// barrel is imported by views that never read an image (it once put it in the landing route's first load).
import type ExifReader from 'exifreader';
import { parseJsonSafely } from './safe-json';
import {
	quote,
	zApiWorkflow,
	zUiWorkflow,
	type ApiWorkflow,
	type UiWorkflow,
	type WorkflowIssue
} from './types';
import { safeParse } from '../parse';

export type ImageFormat = 'png' | 'webp';

export type ComfyMetadataResult =
	| {
			ok: true;
			format: ImageFormat;
			/** The API prompt the image was made from, when embedded and valid. */
			prompt?: ApiWorkflow;
			/** The editor workflow, when embedded and valid. */
			workflow?: UiWorkflow;
			/** Why an embedded text was not usable (bad JSON, wrong shape). */
			issues: WorkflowIssue[];
	  }
	| { ok: false; error: WorkflowIssue };

/** Decompressed metadata above this is refused (a zip bomb in a zTXt chunk). */
const MAX_DECOMPRESSED = 32 * 1024 * 1024;

/** Detects PNG and WebP by their magic bytes. */
export function sniffImageFormat({ bytes }: { bytes: Uint8Array }): ImageFormat | undefined {
	const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
	if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
	const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
	if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
	return undefined;
}

/** Extracts ComfyUI's `prompt` and `workflow` from a PNG or WebP file. Never throws. */
export async function readComfyMetadata({
	bytes
}: {
	bytes: ArrayBuffer | Uint8Array;
}): Promise<ComfyMetadataResult> {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	const format = sniffImageFormat({ bytes: view });
	if (!format) {
		return {
			ok: false,
			error: {
				severity: 'error',
				code: 'image-format',
				message: 'This image is neither PNG nor WebP, so it cannot carry a ComfyUI workflow.'
			}
		};
	}
	let texts: { prompt?: string; workflow?: string };
	try {
		// exifreader wants an ArrayBuffer of exactly the file.
		const buffer = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
		const { default: exif } = await import('exifreader');
		const tags = await exif.load(buffer, {
			expanded: true,
			includeUnknown: true,
			async: true,
			decompress: { maxDecompressedSize: MAX_DECOMPRESSED }
		});
		texts = format === 'png' ? fromPng(tags) : fromExif(tags);
	} catch {
		return {
			ok: false,
			error: {
				severity: 'error',
				code: 'image-damaged',
				message: `This ${format.toUpperCase()} file is damaged or truncated; its metadata could not be read.`
			}
		};
	}
	const issues: WorkflowIssue[] = [];
	const prompt = texts.prompt === undefined ? undefined : parseEmbedded(texts.prompt, 'prompt', issues);
	const workflow =
		texts.workflow === undefined ? undefined : parseEmbedded(texts.workflow, 'workflow', issues);
	const result: ComfyMetadataResult = { ok: true, format, issues };
	if (prompt !== undefined) {
		const parsed = safeParse(zApiWorkflow, prompt);
		if (parsed.success) result.prompt = parsed.data;
		else issues.push(shapeIssue('prompt'));
	}
	if (workflow !== undefined) {
		const parsed = safeParse(zUiWorkflow, workflow);
		if (parsed.success) result.workflow = parsed.data;
		else issues.push(shapeIssue('workflow'));
	}
	return result;
}

function fromPng(tags: ExifReader.ExpandedTags): { prompt?: string; workflow?: string } {
	const text = (tags.pngText ?? {}) as Record<string, { value?: unknown; description?: unknown } | undefined>;
	return { prompt: tagText(text.prompt), workflow: tagText(text.workflow) };
}

function fromExif(tags: ExifReader.ExpandedTags): { prompt?: string; workflow?: string } {
	const out: { prompt?: string; workflow?: string } = {};
	for (const tag of Object.values((tags.exif ?? {}) as Record<string, unknown>)) {
		const text = tagText(tag);
		const match = text === undefined ? null : /^\s*(prompt|workflow)\s*:/i.exec(text);
		if (!match || !text) continue;
		const key = match[1]!.toLowerCase() as 'prompt' | 'workflow';
		out[key] ??= text.slice(match[0].length);
	}
	return out;
}

function tagText(tag: unknown): string | undefined {
	if (typeof tag !== 'object' || tag === null) return undefined;
	const { value, description } = tag as { value?: unknown; description?: unknown };
	if (typeof value === 'string') return value;
	if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
	return typeof description === 'string' ? description : undefined;
}

function parseEmbedded(text: string, what: 'prompt' | 'workflow', issues: WorkflowIssue[]): unknown {
	const parsed = parseJsonSafely({ text: text.replace(/\0+$/, '') });
	if (parsed.ok) return parsed.value;
	issues.push({
		severity: 'warning',
		code: `metadata-${what}-json`,
		message: `The image's embedded ${what} is not readable JSON (${parsed.message}).`
	});
	return undefined;
}

function shapeIssue(what: 'prompt' | 'workflow'): WorkflowIssue {
	return {
		severity: 'warning',
		code: `metadata-${what}-shape`,
		message: `The image's embedded ${quote(what)} is not a ComfyUI ${what === 'prompt' ? 'API prompt' : 'editor workflow'}; it was ignored.`
	};
}
