// ComfyUI's IMAGE type (a float tensor [batch, height, width, 3] in 0..1) and the image operations the
// simulated nodes need, with PNG/JPEG coding by pngjs and jpeg-js. Pixels convert to bytes like
// `np.clip(255 * x, 0, 255).astype(np.uint8)` (truncation, not rounding).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { crc32 } from 'node:zlib';
import { pyRound } from './py-format';

export interface ImageTensor {
	kind: 'IMAGE';
	batch: number;
	height: number;
	width: number;
	/** batch × height × width × 3 floats. */
	data: Float32Array;
}

export interface MaskTensor {
	kind: 'MASK';
	batch: number;
	height: number;
	width: number;
	data: Float32Array;
}

export function createImage(batch: number, height: number, width: number): ImageTensor {
	return { kind: 'IMAGE', batch, height, width, data: new Float32Array(batch * height * width * 3) };
}

export function isImage(value: unknown): value is ImageTensor {
	return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'IMAGE';
}

/** Fills every pixel from `fn(b, y, x) → [r, g, b]` (0..1). */
export function fillImage(
	image: ImageTensor,
	fn: (b: number, y: number, x: number) => [number, number, number]
): ImageTensor {
	let i = 0;
	for (let b = 0; b < image.batch; b++)
		for (let y = 0; y < image.height; y++)
			for (let x = 0; x < image.width; x++) {
				const [r, g, bl] = fn(b, y, x);
				image.data[i++] = r;
				image.data[i++] = g;
				image.data[i++] = bl;
			}
	return image;
}

export function mapImage(image: ImageTensor, fn: (v: number) => number): ImageTensor {
	const out = createImage(image.batch, image.height, image.width);
	for (let i = 0; i < image.data.length; i++) out.data[i] = fn(image.data[i] ?? 0);
	return out;
}

/** One batch entry as RGBA bytes. */
export function toRgba(image: ImageTensor, index = 0): Buffer {
	const pixels = image.width * image.height;
	const out = Buffer.alloc(pixels * 4);
	const base = index * pixels * 3;
	for (let p = 0; p < pixels; p++) {
		for (let c = 0; c < 3; c++) {
			const v = Math.floor(255 * (image.data[base + p * 3 + c] ?? 0));
			out[p * 4 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
		}
		out[p * 4 + 3] = 255;
	}
	return out;
}

/** An IMAGE from RGBA bytes (alpha dropped), as `LoadImage` does. */
export function fromRgba(rgba: Uint8Array, width: number, height: number): ImageTensor {
	const image = createImage(1, height, width);
	for (let p = 0; p < width * height; p++) {
		for (let c = 0; c < 3; c++) image.data[p * 3 + c] = (rgba[p * 4 + c] ?? 0) / 255;
	}
	return image;
}

/** Stacks images of the same size into one batch. */
export function concatBatch(images: ImageTensor[]): ImageTensor {
	const first = images[0];
	if (!first) return createImage(1, 1, 1);
	const out = createImage(
		images.reduce((n, img) => n + img.batch, 0),
		first.height,
		first.width
	);
	let offset = 0;
	for (const img of images) {
		out.data.set(img.data, offset);
		offset += img.data.length;
	}
	return out;
}

interface Axis {
	i0: Int32Array;
	i1: Int32Array;
	t: Float32Array;
}

/** Source indices and weights per destination position (half-pixel centres, clamped at the edges). */
function axis(source: number, target: number, nearest: boolean): Axis {
	const scale = source / target;
	const i0 = new Int32Array(target);
	const i1 = new Int32Array(target);
	const t = new Float32Array(target);
	for (let d = 0; d < target; d++) {
		if (nearest) {
			i0[d] = i1[d] = Math.min(source - 1, Math.floor((d + 0.5) * scale));
			continue;
		}
		const f = Math.max(0, Math.min(source - 1, (d + 0.5) * scale - 0.5));
		const lo = Math.floor(f);
		i0[d] = lo;
		i1[d] = Math.min(source - 1, lo + 1);
		t[d] = f - lo;
	}
	return { i0, i1, t };
}

function boxShrink(image: ImageTensor, w: number, h: number): ImageTensor {
	const out = createImage(image.batch, h, w);
	const sx = image.width / w;
	const sy = image.height / h;
	const src = image.data;
	let i = 0;
	for (let b = 0; b < image.batch; b++)
		for (let y = 0; y < h; y++) {
			const y0 = Math.floor(y * sy);
			const y1 = Math.max(y0 + 1, Math.min(image.height, Math.floor((y + 1) * sy)));
			for (let x = 0; x < w; x++) {
				const x0 = Math.floor(x * sx);
				const x1 = Math.max(x0 + 1, Math.min(image.width, Math.floor((x + 1) * sx)));
				let r = 0;
				let g = 0;
				let bl = 0;
				for (let yy = y0; yy < y1; yy++) {
					let p = ((b * image.height + yy) * image.width + x0) * 3;
					for (let xx = x0; xx < x1; xx++, p += 3) {
						r += src[p] ?? 0;
						g += src[p + 1] ?? 0;
						bl += src[p + 2] ?? 0;
					}
				}
				const n = (x1 - x0) * (y1 - y0);
				out.data[i++] = r / n;
				out.data[i++] = g / n;
				out.data[i++] = bl / n;
			}
		}
	return out;
}

/** Resizes every batch entry; `nearest` for nearest-exact, area-averaging when shrinking, else bilinear. */
export function resizeImage(
	image: ImageTensor,
	width: number,
	height: number,
	method = 'bilinear'
): ImageTensor {
	const w = Math.max(1, Math.round(width));
	const h = Math.max(1, Math.round(height));
	const nearest = method.startsWith('nearest');
	if (!nearest && (image.width / w > 1.5 || image.height / h > 1.5)) return boxShrink(image, w, h);
	const out = createImage(image.batch, h, w);
	const ax = axis(image.width, w, nearest);
	const ay = axis(image.height, h, nearest);
	const src = image.data;
	let i = 0;
	for (let b = 0; b < image.batch; b++)
		for (let y = 0; y < h; y++) {
			const row0 = (b * image.height + (ay.i0[y] ?? 0)) * image.width;
			const row1 = (b * image.height + (ay.i1[y] ?? 0)) * image.width;
			const ty = ay.t[y] ?? 0;
			for (let x = 0; x < w; x++) {
				const c00 = (row0 + (ax.i0[x] ?? 0)) * 3;
				const c01 = (row0 + (ax.i1[x] ?? 0)) * 3;
				const c10 = (row1 + (ax.i0[x] ?? 0)) * 3;
				const c11 = (row1 + (ax.i1[x] ?? 0)) * 3;
				const tx = ax.t[x] ?? 0;
				for (let c = 0; c < 3; c++) {
					const top = (src[c00 + c] ?? 0) * (1 - tx) + (src[c01 + c] ?? 0) * tx;
					const bottom = (src[c10 + c] ?? 0) * (1 - tx) + (src[c11 + c] ?? 0) * tx;
					out.data[i++] = top * (1 - ty) + bottom * ty;
				}
			}
		}
	return out;
}

/** Centre crop to the aspect ratio of width × height (ImageScale's `crop: center`). */
export function cropToAspect(image: ImageTensor, width: number, height: number): ImageTensor {
	const target = width / height;
	const current = image.width / image.height;
	let cw = image.width;
	let ch = image.height;
	if (current > target) cw = Math.max(1, Math.round(image.height * target));
	else if (current < target) ch = Math.max(1, Math.round(image.width / target));
	if (cw === image.width && ch === image.height) return image;
	const x0 = Math.floor((image.width - cw) / 2);
	const y0 = Math.floor((image.height - ch) / 2);
	const out = createImage(image.batch, ch, cw);
	let i = 0;
	for (let b = 0; b < image.batch; b++)
		for (let y = 0; y < ch; y++)
			for (let x = 0; x < cw; x++)
				for (let c = 0; c < 3; c++)
					out.data[i++] = image.data[((b * image.height + y + y0) * image.width + x + x0) * 3 + c] ?? 0;
	return out;
}

/** PIL's `ImageOps.contain(image, (size, size))`: fit inside a square, scaling up as well as down. */
export function containSize(width: number, height: number, size: number): [number, number] {
	const ratio = width / height;
	if (ratio > 1) return [size, pyRound((height / width) * size)];
	if (ratio < 1) return [pyRound((width / height) * size), size];
	return [size, size];
}

/** Builds a PNG chunk (length, type, data, CRC). */
function pngChunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
	return Buffer.concat([head, data, crc]);
}

/**
 * Encodes one batch entry as an RGB PNG. `text` chunks go right after IHDR, where PIL's `pnginfo` puts them
 * (SaveImage's `prompt` and `workflow`).
 */
export function encodePng(
	image: ImageTensor,
	options: { index?: number; level?: number; text?: Record<string, string> } = {}
): Buffer {
	const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 6 });
	png.data = toRgba(image, options.index ?? 0);
	const plain = PNG.sync.write(png, { colorType: 2, inputColorType: 6, deflateLevel: options.level ?? 6 });
	return withText(plain, options.text ?? {});
}

/** Encodes RGBA bytes as a PNG: RGBA, or RGB with `alpha` false; `text` chunks as in `encodePng`. */
export function encodeRgbaPng(
	rgba: Buffer,
	width: number,
	height: number,
	text: Record<string, string> = {},
	alpha = true
): Buffer {
	const png = new PNG({ width, height });
	png.data = rgba;
	const plain = PNG.sync.write(png, { colorType: alpha ? 6 : 2, inputColorType: 6 });
	return withText(plain, text);
}

function withText(plain: Buffer, text: Record<string, string>): Buffer {
	const entries = Object.entries(text);
	if (entries.length === 0) return plain;
	const ihdrEnd = 8 + 8 + 13 + 4;
	const chunks = entries.map(([key, value]) => pngChunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1')));
	return Buffer.concat([plain.subarray(0, ihdrEnd), ...chunks, plain.subarray(ihdrEnd)]);
}

/** Encodes one batch entry as a baseline JFIF JPEG. */
export function encodeJpeg(image: ImageTensor, quality = 95, index = 0): Buffer {
	return jpeg.encode({ data: toRgba(image, index), width: image.width, height: image.height }, quality).data;
}

/** The tEXt chunks of a PNG (key → text). */
export function pngTextChunks(data: Buffer): Record<string, string> {
	const out: Record<string, string> = {};
	let offset = 8;
	while (offset + 8 <= data.length) {
		const length = data.readUInt32BE(offset);
		const type = data.toString('latin1', offset + 4, offset + 8);
		if (type === 'tEXt') {
			const body = data.subarray(offset + 8, offset + 8 + length);
			const zero = body.indexOf(0);
			if (zero > 0) out[body.toString('latin1', 0, zero)] = body.toString('latin1', zero + 1);
		}
		if (type === 'IEND') break;
		offset += 12 + length;
	}
	return out;
}

export interface DecodedImage {
	width: number;
	height: number;
	rgba: Buffer;
	hasAlpha: boolean;
	format: 'PNG' | 'JPEG';
}

/** Decodes PNG or JPEG bytes; throws on anything else (the caller reports PIL's UnidentifiedImageError). */
export function decodeImage(data: Buffer): DecodedImage {
	if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
		const png = PNG.sync.read(data);
		const hasAlpha = png.alpha || png.colorType === 4 || png.colorType === 6;
		return { width: png.width, height: png.height, rgba: png.data, hasAlpha, format: 'PNG' };
	}
	if (data[0] === 0xff && data[1] === 0xd8) {
		const decoded = jpeg.decode(data, { formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
		return {
			width: decoded.width,
			height: decoded.height,
			rgba: decoded.data,
			hasAlpha: false,
			format: 'JPEG'
		};
	}
	throw new Error('cannot identify image file');
}
