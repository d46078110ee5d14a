/**
 * A painted mask in the form ComfyUI's own mask editor uploads (tests/fixtures/comfyui/transcripts/
 * n_mask_upload.json): an RGBA PNG the size of the picture whose alpha channel is the mask, painted area
 * transparent. `/upload/mask` copies that alpha into the original picture, and LoadImage's MASK output is
 * `1 - alpha`, so what the user painted becomes 1 (the area a node such as inpainting changes).
 */
import { crc32 } from '../util/crc32';

/** A mask being painted: one byte of coverage per pixel, 0 = untouched, 255 = fully painted. */
export interface MaskBitmap {
	width: number;
	height: number;
	/** Row-major, `width * height` bytes. */
	coverage: Uint8Array;
}

/** An empty mask of the picture's size. */
export function createMask(options: { width: number; height: number }): MaskBitmap {
	const { width, height } = options;
	if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
		throw new RangeError(`A mask needs a positive whole size, not ${width}×${height}.`);
	}
	return { width, height, coverage: new Uint8Array(width * height) };
}

/** RGBA pixels as the mask editor sends them: black, alpha = 255 − coverage (painted → transparent). */
export function maskToRgba(mask: MaskBitmap): Uint8Array {
	const rgba = new Uint8Array(mask.width * mask.height * 4);
	for (let p = 0; p < mask.coverage.length; p++) rgba[p * 4 + 3] = 255 - (mask.coverage[p] ?? 0);
	return rgba;
}

/** The coverage a mask PNG's alpha stands for, the inverse of `maskToRgba` (an existing mask, read back). */
export function maskFromRgba(options: {
	rgba: Uint8Array | Uint8ClampedArray;
	width: number;
	height: number;
}) {
	const mask = createMask(options);
	for (let p = 0; p < mask.coverage.length; p++) mask.coverage[p] = 255 - (options.rgba[p * 4 + 3] ?? 255);
	return mask;
}

/** The value LoadImage gives for each pixel of the MASK output once this mask is uploaded (0…1). */
export function maskValuesAsServerReads(mask: MaskBitmap): Float32Array {
	const rgba = maskToRgba(mask);
	const values = new Float32Array(mask.coverage.length);
	for (let p = 0; p < values.length; p++) values[p] = 1 - (rgba[p * 4 + 3] ?? 255) / 255;
	return values;
}

/** The mask as an RGBA PNG (8-bit, no filtering), ready for `api.uploadMask`. */
export async function encodeMaskPng(mask: MaskBitmap): Promise<Blob> {
	const { width, height } = mask;
	const rgba = maskToRgba(mask);
	// Each row starts with filter type 0 (none).
	const raw = new Uint8Array((width * 4 + 1) * height);
	for (let y = 0; y < height; y++)
		raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
	const header = new Uint8Array(13);
	const view = new DataView(header.buffer);
	view.setUint32(0, width);
	view.setUint32(4, height);
	header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
	const idat = await zlib(raw);
	const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return new Blob([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array())], {
		type: 'image/png'
	});
}

/** The name the mask is uploaded under: beside the picture, so it is easy to find in ComfyUI's input folder. */
export function maskFilename(original: string): string {
	const base = original.slice(original.lastIndexOf('/') + 1);
	const dot = base.lastIndexOf('.');
	return `${dot > 0 ? base.slice(0, dot) : base}-mask.png`;
}

async function zlib(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
	// CompressionStream('deflate') is the zlib format PNG wants; Node 18+ and every current browser have it.
	const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function chunk(type: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
	return out;
}

/**
 * Paints (or, with `erase`, clears) a round brush of `radius` pixels along the segment from `from` to `to` in
 * image pixels, so a fast pointer leaves a continuous line rather than dots.
 */
export function paintStroke(
	mask: MaskBitmap,
	options: { from: { x: number; y: number }; to: { x: number; y: number }; radius: number; erase?: boolean }
): void {
	const { from, to } = options;
	const radius = Math.max(0.5, options.radius);
	const value = options.erase ? 0 : 255;
	const length = Math.hypot(to.x - from.x, to.y - from.y);
	const steps = Math.max(1, Math.ceil(length / Math.max(1, radius / 2)));
	for (let i = 0; i <= steps; i++) {
		const cx = from.x + ((to.x - from.x) * i) / steps;
		const cy = from.y + ((to.y - from.y) * i) / steps;
		const x0 = Math.max(0, Math.floor(cx - radius));
		const x1 = Math.min(mask.width - 1, Math.ceil(cx + radius));
		const y0 = Math.max(0, Math.floor(cy - radius));
		const y1 = Math.min(mask.height - 1, Math.ceil(cy + radius));
		for (let y = y0; y <= y1; y++) {
			for (let x = x0; x <= x1; x++) {
				// Pixel centres inside the circle.
				if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius)
					mask.coverage[y * mask.width + x] = value;
			}
		}
	}
}

/** Swaps painted and unpainted. */
export function invertMask(mask: MaskBitmap): void {
	for (let p = 0; p < mask.coverage.length; p++) mask.coverage[p] = 255 - (mask.coverage[p] ?? 0);
}
