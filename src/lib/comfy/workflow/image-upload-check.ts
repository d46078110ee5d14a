/**
 * Checks a file before `POST /upload/image`. The server accepts any bytes (a text file too, which LoadImage then
 * fails on at run time) and refuses bodies above its `max_upload_size` with an unhelpful error, so both are
 * checked here first, from the file's magic bytes rather than its name or MIME type.
 */
import { baseName, formatSize, safeUploadName } from './upload-names';

export type UploadImageType = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'tiff';

const MIME: Record<UploadImageType, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	bmp: 'image/bmp',
	tiff: 'image/tiff'
};
const EXTENSIONS: Record<UploadImageType, string[]> = {
	png: ['png'],
	jpeg: ['jpg', 'jpeg', 'jfif'],
	webp: ['webp'],
	gif: ['gif'],
	bmp: ['bmp'],
	tiff: ['tif', 'tiff']
};

/** The image type from the first bytes of a file (16 are enough), or undefined. */
export function detectImageType({ bytes }: { bytes: Uint8Array }): UploadImageType | undefined {
	const at = (offset: number, ...sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
	if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
	if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
	if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
	if (at(0, 0x47, 0x49, 0x46, 0x38, 0x37, 0x61) || at(0, 0x47, 0x49, 0x46, 0x38, 0x39, 0x61)) return 'gif';
	if (at(0, 0x42, 0x4d) && bytes.length >= 14) return 'bmp';
	if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
	return undefined;
}

export type UploadCheck<T = UploadImageType> =
	| {
			ok: true;
			type: T;
			mime: string;
			/** A safe file name for the form field: no path parts, the right extension for ComfyUI's file lists. */
			fileName: string;
	  }
	| { ok: false; code: 'empty' | 'not-image' | 'wrong-type' | 'too-large'; message: string };

/**
 * Checks `bytes` (the whole file, or at least its first 16 bytes with `size` given) against the server's
 * `max_upload_size` from `/features` (bytes; skipped when unknown).
 */
export function checkImageUpload({
	name,
	bytes,
	size = bytes.byteLength,
	maxUploadSize
}: {
	name: string;
	bytes: Uint8Array;
	size?: number;
	maxUploadSize?: number;
}): UploadCheck {
	const shown = `"${baseName(name).slice(0, 80) || 'The file'}"`;
	if (size === 0) return { ok: false, code: 'empty', message: `${shown} is empty.` };
	if (maxUploadSize !== undefined && maxUploadSize > 0 && size > maxUploadSize) {
		return {
			ok: false,
			code: 'too-large',
			message: `${shown} is ${formatSize(size)}; this server accepts uploads up to ${formatSize(maxUploadSize)}. Use a smaller image, or start ComfyUI with a larger --max-upload-size.`
		};
	}
	const type = detectImageType({ bytes });
	if (!type) {
		return {
			ok: false,
			code: 'not-image',
			message: `${shown} is not an image ComfyUI can load (PNG, JPEG, WebP, GIF, BMP or TIFF), whatever its name says.`
		};
	}
	return { ok: true, type, mime: MIME[type], fileName: safeUploadName(name, EXTENSIONS[type], 'image') };
}

/**
 * Where the file a LoadImage/LoadVideo/LoadAudio value names lives: `sub/name.png` is in the input folder,
 * `name.mp4 [output]` (a saved result, as m_media.json loads one back) in the output folder.
 */
export function serverFileOfValue(value: string): { filename: string; subfolder: string; type: string } {
	const annotated = /\s*\[(input|output|temp)\]$/.exec(value);
	const clean = annotated ? value.slice(0, annotated.index) : value;
	const slash = clean.lastIndexOf('/');
	return {
		filename: slash === -1 ? clean : clean.slice(slash + 1),
		subfolder: slash === -1 ? '' : clean.slice(0, slash),
		type: annotated?.[1] ?? 'input'
	};
}

/**
 * The value a LoadImage/LoadVideo/LoadAudio input takes for a file already on the server: `sub/name.mp4 [output]`
 * for a saved result (the inverse of `serverFileOfValue`); input files go unannotated, as the server lists them.
 */
export function annotatedFileValue(file: { filename: string; subfolder?: string; type?: string }): string {
	const path = file.subfolder ? `${file.subfolder}/${file.filename}` : file.filename;
	return file.type && file.type !== 'input' ? `${path} [${file.type}]` : path;
}

/** The value a LoadImage input takes for an upload answer `{name, subfolder}`. */
export function uploadedImageValue({ name, subfolder }: { name: string; subfolder?: string }): string {
	return subfolder ? `${subfolder}/${name}` : name;
}
