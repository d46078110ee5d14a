/**
 * Checks a file before `POST /upload/image`. The server accepts any bytes (a text file too, which LoadImage then
 * fails on at run time) and refuses bodies above its `max_upload_size` with an unhelpful error, so both are
 * checked here first, from the file's magic bytes rather than its name or MIME type.
 */

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

export type UploadCheck =
	| {
			ok: true;
			type: UploadImageType;
			mime: string;
			/** A safe file name for the form field: no path parts, the right extension for ComfyUI's image list. */
			fileName: string;
	  }
	| { ok: false; code: 'empty' | 'not-image' | 'too-large'; message: string };

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
	return { ok: true, type, mime: MIME[type], fileName: safeFileName(name, type) };
}

/** The value a LoadImage input takes for an upload answer `{name, subfolder}`. */
export function uploadedImageValue({ name, subfolder }: { name: string; subfolder?: string }): string {
	return subfolder ? `${subfolder}/${name}` : name;
}

function baseName(name: string): string {
	return name.split(/[\\/]/).pop() ?? '';
}

function safeFileName(name: string, type: UploadImageType): string {
	let base = baseName(name)
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_')
		.replace(/^[.\s]+/, '')
		.trim();
	const ext = /\.([A-Za-z0-9]+)$/.exec(base)?.[1]?.toLowerCase();
	if (!ext || !EXTENSIONS[type].includes(ext)) base = `${base || 'image'}.${EXTENSIONS[type][0]}`;
	if (base.length > 150) base = `${base.slice(0, 140)}.${EXTENSIONS[type][0]}`;
	return base;
}

function formatSize(n: number): string {
	const mb = n / (1024 * 1024);
	return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}
