// /upload/image, /upload/mask and /view with ComfyUI's rules: uploads keep any bytes, a same-named file
// with other bytes becomes `name (1).ext`, identical bytes are not stored twice, paths escaping the folder
// get 400; /view answers 400 for `..`/leading `/` or an unknown type, 403 for a subfolder escaping, 404 for
// a missing file, and converts on `preview=` and `channel=`.
import { posix } from 'node:path';
import { createHash } from 'node:crypto';
import { annotatedFilepath, FOLDER_TYPES, resolveInside, type FolderType } from './file-store';
import { empty, HandlerCrash, internalError, json, type SimReply, type SimRequest } from './http-kit';
import { decodeImage, encodeJpeg, encodeRgbaPng, fromRgba, pngTextChunks } from './image';
import type { Route } from './router';
import type { Simulator } from './simulator';
import { guessMime } from './static-root';
import { encodeWebpLossless } from './webp';

async function parseForm(req: SimRequest): Promise<FormData> {
	const contentType = req.headers['content-type'] ?? '';
	try {
		return await new Request('http://simulator/upload', {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: new Uint8Array(req.body)
		}).formData();
	} catch {
		return new FormData();
	}
}

function splitExt(name: string): [string, string] {
	const dot = name.lastIndexOf('.');
	if (dot <= 0 || dot === name.length - 1 || name.slice(0, dot).replace(/\./g, '') === '') return [name, ''];
	return [name.slice(0, dot), name.slice(dot)];
}

function sameBytes(a: Buffer, b: Buffer): boolean {
	return createHash('sha256').update(a).digest('hex') === createHash('sha256').update(b).digest('hex');
}

type SaveFunction = (data: Buffer, form: FormData, type: FolderType, path: string) => void;

async function imageUpload(sim: Simulator, req: SimRequest, save?: SaveFunction): Promise<SimReply> {
	const form = await parseForm(req);
	const image = form.get('image');
	const overwrite = form.get('overwrite');
	const typeField = form.get('type');
	const type = typeField === null ? 'input' : String(typeField);
	if (!(FOLDER_TYPES as readonly string[]).includes(type))
		throw new HandlerCrash(`unknown upload type ${type}`);
	if (!(image instanceof File)) return empty(400);
	let filename = image.name;
	if (!filename) return empty(400);
	const subfolderField = form.get('subfolder');
	const subfolder = typeof subfolderField === 'string' ? subfolderField : '';
	const folder = resolveInside(posix.normalize(subfolder || '.'));
	const target = folder === null ? null : resolveInside(posix.join(folder || '.', filename));
	if (folder === null || target === null || target === '') return empty(400);
	const data = Buffer.from(await image.arrayBuffer());
	const store = type as FolderType;
	let path = target;
	let duplicate = false;
	if (!(overwrite === 'true' || overwrite === '1')) {
		const [stem, ext] = splitExt(filename);
		const dir = posix.dirname(target) === '.' ? '' : posix.dirname(target);
		for (let i = 1; sim.files.has(store, path); i++) {
			const existing = sim.files.get(store, path);
			if (existing && sameBytes(existing.data, data)) {
				duplicate = true;
				break;
			}
			filename = `${stem} (${i})${ext}`;
			path = dir ? `${dir}/${filename}` : filename;
		}
	}
	if (!duplicate) {
		if (save) save(data, form, store, path);
		else sim.files.put(store, path, data);
	}
	return json({ name: filename, subfolder, type });
}

/** /upload/mask: the original image with the mask's alpha, saved as PNG with the original's text chunks. */
function maskSaver(sim: Simulator): SaveFunction {
	return (data, form, type, path) => {
		const ref = JSON.parse(String(form.get('original_ref') ?? 'null')) as Record<string, unknown> | null;
		if (!ref || typeof ref['filename'] !== 'string') throw new HandlerCrash('original_ref missing');
		const annotated = annotatedFilepath(ref['filename']);
		if (annotated.name.startsWith('/') || annotated.name.includes('..')) return;
		const refType = annotated.type ?? (typeof ref['type'] === 'string' ? ref['type'] : 'output');
		if (!(FOLDER_TYPES as readonly string[]).includes(refType)) return;
		const sub = typeof ref['subfolder'] === 'string' ? ref['subfolder'] : '';
		const dir = resolveInside(sub || '.');
		if (dir === null) return;
		const original = sim.files.get(refType as FolderType, dir ? `${dir}/${annotated.name}` : annotated.name);
		if (!original) return;
		const base = decodeImage(original.data);
		const mask = decodeImage(data);
		const rgba = Buffer.from(base.rgba);
		for (let p = 0; p < base.width * base.height; p++) {
			const x = p % base.width;
			const y = Math.floor(p / base.width);
			const inside = x < mask.width && y < mask.height;
			rgba[p * 4 + 3] = inside ? (mask.rgba[(y * mask.width + x) * 4 + 3] ?? 255) : 255;
		}
		const text = base.format === 'PNG' ? pngTextChunks(original.data) : {};
		sim.files.put(type, path, encodeRgbaPng(rgba, base.width, base.height, text));
	};
}

function viewFile(sim: Simulator, req: SimRequest): SimReply {
	const query = req.query;
	const requested = query.get('filename');
	if (requested === null) return empty(404);
	const annotated = annotatedFilepath(requested);
	if (!annotated.name) return internalError(); // filename[0] on an empty name raises IndexError
	if (annotated.name.startsWith('/') || annotated.name.includes('..')) return empty(400);
	const typeParam = query.get('type') ?? 'output';
	const type =
		annotated.type ??
		((FOLDER_TYPES as readonly string[]).includes(typeParam) ? (typeParam as FolderType) : null);
	if (type === null) return empty(400);
	let dir = '';
	const subfolder = query.get('subfolder');
	if (subfolder !== null) {
		const inside = resolveInside(subfolder || '.');
		if (inside === null) return empty(403);
		dir = inside;
	}
	const filename = posix.basename(annotated.name);
	const file = sim.files.get(type, dir ? `${dir}/${filename}` : filename);
	if (!file) return empty(404);
	const disposition = { 'Content-Disposition': `filename="${filename}"` };
	const channel = query.get('channel') ?? '';
	const preview = query.get('preview');
	if (preview !== null) {
		const parts = preview.split(';');
		let format = parts[0] ?? '';
		if (!['webp', 'jpeg'].includes(format) || channel.includes('a')) format = 'webp';
		const last = parts[parts.length - 1] ?? '';
		const quality = /^\d+$/.test(last) ? Number(last) : 90;
		let decoded;
		try {
			decoded = decodeImage(file.data);
		} catch {
			return internalError();
		}
		const rgba = Buffer.from(decoded.rgba);
		if (format === 'jpeg' || channel === 'rgb') for (let p = 3; p < rgba.length; p += 4) rgba[p] = 255;
		const body =
			format === 'jpeg'
				? encodeJpeg(fromRgba(rgba, decoded.width, decoded.height), quality)
				: encodeWebpLossless(rgba, decoded.width, decoded.height);
		return { status: 200, headers: { ...disposition, 'Content-Type': `image/${format}` }, body };
	}
	if (channel === 'rgb' || channel === 'a') {
		let decoded;
		try {
			decoded = decodeImage(file.data);
		} catch {
			return internalError();
		}
		const rgba = Buffer.from(decoded.rgba);
		for (let p = 0; p < rgba.length; p += 4) {
			if (channel === 'rgb') rgba[p + 3] = 255;
			else {
				rgba[p + 3] = decoded.hasAlpha ? (rgba[p + 3] ?? 255) : 255;
				rgba[p] = rgba[p + 1] = rgba[p + 2] = 0;
			}
		}
		const body =
			channel === 'rgb'
				? encodeRgbaPng(rgba, decoded.width, decoded.height, {}, false)
				: encodeRgbaPng(rgba, decoded.width, decoded.height);
		return { status: 200, headers: { ...disposition, 'Content-Type': 'image/png' }, body };
	}
	let contentType = guessMime(filename) ?? 'application/octet-stream';
	if (
		['text/html', 'text/html-sandboxed', 'application/xhtml+xml', 'text/javascript', 'text/css'].includes(
			contentType
		)
	) {
		contentType = 'application/octet-stream';
	}
	if (contentType.startsWith('application/javascript')) contentType = 'application/octet-stream';
	const etag = `"${Math.round(file.mtimeMs * 1e6).toString(16)}-${file.data.length.toString(16)}"`;
	const headers = {
		...disposition,
		'Content-Type': contentType,
		Etag: etag,
		'Last-Modified': new Date(file.mtimeMs).toUTCString(),
		'Accept-Ranges': 'bytes'
	};
	if (req.headers['if-none-match'] === etag) return { status: 304, headers };
	const range = req.headers['range'];
	if (typeof range === 'string') return rangeReply(file.data, range, headers);
	return { status: 200, headers, body: file.data };
}

/**
 * aiohttp's FileResponse answer to `Range: bytes=…` (a `<video>` asks for ranges, m_media.json): 206 with
 * Content-Range for one satisfiable range, 416 with a Content-Range of `bytes *` and the size otherwise.
 */
function rangeReply(data: Buffer, range: string, headers: Record<string, string>): SimReply {
	const size = data.length;
	const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
	let start = NaN;
	let end = size - 1;
	if (match && (match[1] || match[2])) {
		if (match[1]) {
			start = Number(match[1]);
			if (match[2]) end = Math.min(Number(match[2]), size - 1);
		} else {
			start = Math.max(0, size - Number(match[2]));
		}
	}
	if (!match) return { status: 200, headers, body: data };
	if (!(start >= 0 && start < size && start <= end)) {
		return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } };
	}
	return {
		status: 206,
		headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` },
		body: data.subarray(start, end + 1)
	};
}

export function fileRoutes(sim: Simulator): Route[] {
	return [
		{ method: 'POST', path: '/upload/image', handler: (req) => imageUpload(sim, req) },
		{ method: 'POST', path: '/upload/mask', handler: (req) => imageUpload(sim, req, maskSaver(sim)) },
		{ method: 'GET', path: '/view', handler: (req) => viewFile(sim, req) }
	];
}
