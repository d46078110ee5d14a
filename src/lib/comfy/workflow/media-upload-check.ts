/**
 * Checks a video or audio file before `POST /upload/image` (ComfyUI's frontend uploads every input file there,
 * field `image`). As with images the server takes any bytes and LoadVideo/LoadAudio only fail at run time, so the
 * container is read from the file's magic bytes, never from its name or the type the browser guessed.
 */
import type { UploadCheck } from './image-upload-check';
import { baseName, formatSize, safeUploadName } from './upload-names';

/** A container ComfyUI's PyAV-based loaders open. */
export type MediaContainer = 'mp4' | 'mov' | 'm4a' | 'webm' | 'mkv' | 'avi' | 'ogg' | 'flac' | 'wav' | 'mp3';

const INFO: Record<MediaContainer, { mime: string; extensions: string[]; video: boolean }> = {
	mp4: { mime: 'video/mp4', extensions: ['mp4', 'm4v'], video: true },
	mov: { mime: 'video/quicktime', extensions: ['mov'], video: true },
	m4a: { mime: 'audio/mp4', extensions: ['m4a', 'aac'], video: false },
	webm: { mime: 'video/webm', extensions: ['webm', 'weba'], video: true },
	mkv: { mime: 'video/x-matroska', extensions: ['mkv'], video: true },
	avi: { mime: 'video/x-msvideo', extensions: ['avi'], video: true },
	ogg: { mime: 'audio/ogg', extensions: ['ogg', 'oga', 'opus', 'ogv'], video: false },
	flac: { mime: 'audio/flac', extensions: ['flac'], video: false },
	wav: { mime: 'audio/wav', extensions: ['wav'], video: false },
	mp3: { mime: 'audio/mpeg', extensions: ['mp3'], video: false }
};

/** How many leading bytes `detectMediaContainer` looks at. */
export const MEDIA_HEAD_BYTES = 64;

/** The container from the first bytes of a file (64 are enough), or undefined. */
export function detectMediaContainer({ bytes }: { bytes: Uint8Array }): MediaContainer | undefined {
	const at = (offset: number, text: string) =>
		[...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
	if (at(4, 'ftyp')) {
		if (at(8, 'M4A ') || at(8, 'M4B ')) return 'm4a';
		return at(8, 'qt  ') ? 'mov' : 'mp4';
	}
	if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
		// The EBML header names its DocType near the start: "webm" or "matroska".
		const head = String.fromCharCode(...bytes.subarray(0, MEDIA_HEAD_BYTES));
		return head.includes('webm') ? 'webm' : 'mkv';
	}
	if (at(0, 'RIFF') && at(8, 'AVI ')) return 'avi';
	if (at(0, 'RIFF') && at(8, 'WAVE')) return 'wav';
	if (at(0, 'fLaC')) return 'flac';
	if (at(0, 'OggS')) return 'ogg';
	if (at(0, 'ID3')) return 'mp3';
	// An MPEG audio frame (MP3, or AAC in ADTS) starts with 11 set bits.
	if (bytes[0] === 0xff && bytes[1] !== undefined && (bytes[1] & 0xe0) === 0xe0) return 'mp3';
	return undefined;
}

/**
 * Checks a file for a `video_upload` or `audio_upload` input: not empty, within the server's `max_upload_size`
 * (from `/features`, skipped when unknown), and a container that kind of input loads (LoadAudio also reads the
 * sound of a video file, as ComfyUI lists both there).
 */
export function checkMediaUpload({
	accept,
	name,
	bytes,
	size = bytes.byteLength,
	maxUploadSize
}: {
	accept: 'video' | 'audio';
	name: string;
	/** The whole file or at least its first `MEDIA_HEAD_BYTES` bytes (then `size` says how big it is). */
	bytes: Uint8Array;
	size?: number;
	maxUploadSize?: number;
}): UploadCheck<MediaContainer> {
	const shown = `"${baseName(name).slice(0, 80) || 'The file'}"`;
	const what = accept === 'video' ? 'video' : 'audio file';
	if (size === 0) return { ok: false, code: 'empty', message: `${shown} is empty.` };
	if (maxUploadSize !== undefined && maxUploadSize > 0 && size > maxUploadSize) {
		return {
			ok: false,
			code: 'too-large',
			message: `${shown} is ${formatSize(size)}; this server accepts uploads up to ${formatSize(maxUploadSize)}. Use a shorter or smaller ${what}, or start ComfyUI with a larger --max-upload-size.`
		};
	}
	const type = detectMediaContainer({ bytes });
	if (!type || (accept === 'video' && !INFO[type].video)) {
		return {
			ok: false,
			code: 'wrong-type',
			message:
				accept === 'video'
					? `${shown} is not a video ComfyUI can load (MP4, MOV, WebM, MKV or AVI), whatever its name says.`
					: `${shown} is not audio ComfyUI can load (FLAC, MP3, WAV, Ogg/Opus, M4A, or a video's sound track), whatever its name says.`
		};
	}
	const { mime, extensions } = INFO[type];
	return { ok: true, type, mime, fileName: safeUploadName(name, extensions, accept) };
}

/** What a file picker for this kind of input offers (a hint only: the bytes are checked after picking). */
export const ACCEPT_ATTRIBUTE: Record<'image' | 'video' | 'audio', string> = {
	image: 'image/png,image/jpeg,image/webp,image/gif,image/bmp,image/tiff',
	video: 'video/*,.mkv,.avi',
	audio: 'audio/*,video/*,.flac,.opus'
};
