import { extensionOf } from '$lib/comfy/output-kind';

const EXTENSION_OF_MIME: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'video/mp4': 'mp4',
	'video/webm': 'webm',
	'audio/flac': 'flac',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'audio/ogg': 'ogg',
	'text/plain': 'txt',
	'image/svg+xml': 'svg',
	'application/json': 'json'
};

/** The usual extension of a content type (`audio/mpeg` → `mp3`, parameters ignored), or `bin` when it says nothing known. */
export function extensionOfMime(mime: string | undefined): string {
	return EXTENSION_OF_MIME[mime?.split(';')[0]?.trim().toLowerCase() ?? ''] ?? 'bin';
}

const two = (n: number) => String(n).padStart(2, '0');

/** A local date and time that sorts as text and is allowed in file names everywhere: `2026-12-07_14-05-09`. */
export function fileDateTime(date: Date): string {
	const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
	return `${day}_${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`;
}

/**
 * A template name as a file name part: lowercase words joined by dashes, only letters (any script), digits, dots
 * and dashes, so the file opens the same on Windows, macOS and Linux and never names a folder.
 */
export function fileSlug(name: string): string {
	const slug = name
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}.]+/gu, '-')
		.replace(/^[-.]+|[-.]+$/g, '')
		.slice(0, 60)
		.replace(/[-.]+$/, '');
	return slug || 'result';
}

/**
 * The name a result is saved under in the user's folder:
 * `sd-1.5-txt2img_2026-12-07_14-05-09_a1b2c3d4_01.png` (template, when the run was made, the prompt id's first
 * eight characters, the file's place in the run from 1, and the original extension, or one from its type).
 * @param options.templateName the run's template (absent for a run made elsewhere: `result`).
 * @param options.date when the run was made.
 * @param options.promptId the run's prompt id.
 * @param options.index the file's place among the run's results, from 0.
 * @param options.filename the name the server gave it (for its extension).
 * @param options.mime its content type, when the name has no extension.
 */
export function resultFileName(options: {
	templateName?: string;
	date: Date;
	promptId: string;
	index: number;
	filename?: string;
	mime?: string;
}): string {
	const ext = extensionOf(options.filename ?? '').replace(/[^a-z0-9]/g, '') || extensionOfMime(options.mime);
	const id = options.promptId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'run';
	const parts = [
		fileSlug(options.templateName ?? ''),
		fileDateTime(options.date),
		id,
		two(options.index + 1)
	];
	return `${parts.join('_')}.${ext}`;
}

/** The name with ` (n)` before its extension, for the n-th file wanting the same name: `a.png` → `a (2).png`. */
export function withSuffix(name: string, n: number): string {
	if (n <= 1) return name;
	const dot = name.lastIndexOf('.');
	return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
