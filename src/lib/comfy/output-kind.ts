/**
 * What kind of result a file a node produced is, from what the server says about it: the output key it came under,
 * `animated`, a custom node's `format`, the file's extension and, once fetched, the content type `/view` sent.
 * ComfyUI lists videos under `images` (SaveVideo, SaveWEBM: `animated: [true]`), animated WebP/PNG there too,
 * audio under `audio`, text under `text`, and custom nodes invent keys (VideoHelperSuite's `gifs` with a `format`
 * such as `video/h264-mp4`). See tests/fixtures/comfyui/PROTOCOL.md, "Files a prompt produces".
 */

/** still image · animated image (WebP, PNG, GIF) · video · audio · text · other (3D models, SVG, anything else). */
export type OutputKind = 'image' | 'animated' | 'video' | 'audio' | 'text' | 'other';

export const OUTPUT_KINDS: readonly OutputKind[] = ['image', 'animated', 'video', 'audio', 'text', 'other'];

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp', 'bmp', 'tif', 'tiff', 'avif', 'jxl']);
// Formats that are pictures whether they move or not: `animated` decides.
const ANIMATABLE_EXTENSIONS = new Set(['webp', 'png', 'apng', 'avif', 'jxl']);
const ANIMATED_EXTENSIONS = new Set(['gif', 'apng']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'webm', 'mov', 'mkv', 'm4v', 'avi', 'ogv', 'mpeg', 'mpg']);
const AUDIO_EXTENSIONS = new Set(['flac', 'mp3', 'opus', 'ogg', 'oga', 'wav', 'm4a', 'aac', 'weba']);

/** Everything the server may have said about one file. */
export interface OutputFileFacts {
	/** The output key it was listed under (`images`, `gifs`, `audio`, `video`, `3d`, …). */
	key?: string;
	filename: string;
	/** The node's `animated` flag for this file (ComfyUI sends `animated: [true]` beside `images`). */
	animated?: boolean;
	/** A custom node's format string (`video/h264-mp4`, `image/gif`). */
	format?: string;
	/** The content type `/view` answered with. */
	contentType?: string;
}

/**
 * One output file of a run as the server names it (`output/video/clip_00001_.mp4`): the same file whichever node or
 * message reported it, and whether it shows from fresh bytes or from IndexedDB.
 */
export function outputFileKey(file: { type?: string; subfolder?: string; filename?: string }): string {
	return `${file.type ?? ''}/${file.subfolder ?? ''}/${file.filename ?? ''}`;
}

/** The lowercase extension of a file name, without the dot ('' when it has none). */
export function extensionOf(filename: string): string {
	const base = filename.slice(filename.lastIndexOf('/') + 1);
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/**
 * The kind of one output file. A content type from `/view` is the strongest word, then a `format`, then the
 * extension; `animated` turns a picture into an animated one; the output key decides only when nothing else does
 * (ComfyUI puts videos under `images`, so the key alone would lie).
 */
export function kindOfOutputFile(facts: OutputFileFacts): OutputKind {
	const fromMime = (mime: string | undefined): OutputKind | undefined => {
		const type = mime?.split(';')[0]?.trim().toLowerCase();
		if (!type || type === 'application/octet-stream') return undefined;
		if (type.startsWith('video/')) return 'video';
		if (type.startsWith('audio/')) return 'audio';
		if (type === 'image/gif' || type === 'image/apng') return 'animated';
		if (type === 'image/svg+xml') return 'other';
		if (type.startsWith('image/')) return facts.animated ? 'animated' : 'image';
		if (type.startsWith('text/')) return 'text';
		return 'other';
	};
	const fromExtension = (ext: string): OutputKind | undefined => {
		if (VIDEO_EXTENSIONS.has(ext)) return 'video';
		if (AUDIO_EXTENSIONS.has(ext)) return 'audio';
		if (ANIMATED_EXTENSIONS.has(ext)) return 'animated';
		if (ANIMATABLE_EXTENSIONS.has(ext)) return facts.animated ? 'animated' : 'image';
		if (IMAGE_EXTENSIONS.has(ext)) return 'image';
		if (ext === 'txt' || ext === 'json' || ext === 'md') return 'text';
		return ext ? 'other' : undefined;
	};
	const fromKey = (key: string | undefined): OutputKind | undefined => {
		switch (key) {
			case 'images':
				return facts.animated ? 'animated' : 'image';
			case 'gifs':
				return 'animated';
			case 'audio':
				return 'audio';
			case 'video':
			case 'videos':
				return 'video';
			case 'text':
				return 'text';
			default:
				return undefined;
		}
	};
	return (
		fromMime(facts.contentType) ??
		fromMime(facts.format) ??
		fromExtension(extensionOf(facts.filename)) ??
		fromKey(facts.key) ??
		'other'
	);
}

/** The content type a file of this name most likely has, for a download whose server did not say. */
export function mimeOfFilename(filename: string): string {
	const ext = extensionOf(filename);
	const known: Record<string, string> = {
		png: 'image/png',
		apng: 'image/apng',
		jpg: 'image/jpeg',
		jpeg: 'image/jpeg',
		webp: 'image/webp',
		gif: 'image/gif',
		avif: 'image/avif',
		bmp: 'image/bmp',
		svg: 'image/svg+xml',
		mp4: 'video/mp4',
		m4v: 'video/mp4',
		webm: 'video/webm',
		mov: 'video/quicktime',
		mkv: 'video/x-matroska',
		ogv: 'video/ogg',
		flac: 'audio/flac',
		mp3: 'audio/mpeg',
		opus: 'audio/opus',
		ogg: 'audio/ogg',
		oga: 'audio/ogg',
		wav: 'audio/wav',
		m4a: 'audio/mp4',
		aac: 'audio/aac',
		weba: 'audio/webm',
		txt: 'text/plain',
		json: 'application/json',
		glb: 'model/gltf-binary',
		gltf: 'model/gltf+json',
		obj: 'model/obj'
	};
	return known[ext] ?? 'application/octet-stream';
}

/** Which upload-flagged input (`image_upload`, `video_upload`, `audio_upload`) a result of this kind may feed. */
export function uploadFlagOfKind(
	kind: OutputKind
): 'image_upload' | 'video_upload' | 'audio_upload' | undefined {
	switch (kind) {
		case 'image':
		case 'animated':
			return 'image_upload';
		case 'video':
			return 'video_upload';
		case 'audio':
			return 'audio_upload';
		default:
			return undefined;
	}
}
