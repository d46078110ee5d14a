// `--front-end-root DIR` as ComfyUI serves it: `GET /` answers DIR/index.html (no-cache), other paths are
// static files with aiohttp's ETag/Last-Modified, a directory is a raised 403 (no index page) and a missing
// file a raised 404. Without a root, `/` answers a small placeholder page.
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { raisedStatus, type SimReply, type SimRequest } from './http-kit';

// Python's `mimetypes` answers, plus ComfyUI's override for .js.
const MIME: Record<string, string> = {
	'.html': 'text/html',
	'.htm': 'text/html',
	'.js': 'application/javascript; charset=utf-8',
	'.mjs': 'application/javascript; charset=utf-8',
	'.css': 'text/css',
	'.json': 'application/json',
	'.webmanifest': 'application/manifest+json',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.webp': 'image/webp',
	'.gif': 'image/gif',
	'.svg': 'image/svg+xml',
	'.ico': 'image/vnd.microsoft.icon',
	'.txt': 'text/plain',
	'.mp4': 'video/mp4',
	'.webm': 'video/webm',
	'.mov': 'video/quicktime',
	'.mkv': 'video/x-matroska',
	'.flac': 'audio/flac',
	'.mp3': 'audio/mpeg',
	'.opus': 'audio/opus',
	'.ogg': 'audio/ogg',
	'.wav': 'audio/x-wav',
	'.glb': 'model/gltf-binary',
	'.woff': 'font/woff',
	'.woff2': 'font/woff2',
	'.wasm': 'application/wasm',
	'.map': 'application/json'
};

/** Python's `mimetypes.guess_type(name)[0]`, or null. */
export function guessMime(name: string): string | null {
	return MIME[extname(name).toLowerCase()] ?? null;
}

const PLACEHOLDER = `<!doctype html>
<html><head><meta charset="utf-8"><title>ComfyUI simulator</title></head>
<body><p>ComfyUI simulator: start it with --front-end-root DIR to serve a front end here.</p></body></html>
`;

function httpDate(ms: number): string {
	return new Date(ms).toUTCString();
}

async function fileReply(req: SimRequest, file: string, extra: Record<string, string>): Promise<SimReply> {
	const info = await stat(file);
	const etag = `"${(BigInt(Math.round(info.mtimeMs * 1e6)) || 0n).toString(16)}-${info.size.toString(16)}"`;
	const headers: Record<string, string> = {
		...extra,
		'Content-Type': guessMime(file) ?? 'application/octet-stream',
		Etag: etag,
		'Last-Modified': httpDate(info.mtimeMs),
		'Accept-Ranges': 'bytes'
	};
	if (req.headers['if-none-match'] === etag) return { status: 304, headers };
	return { status: 200, headers, body: await readFile(file) };
}

/** Serves a front-end folder like ComfyUI's web root. */
export class StaticRoot {
	private readonly root: string | null;

	constructor(root: string | undefined) {
		this.root = root ? resolve(root) : null;
	}

	/** `GET /`: index.html, never cached. */
	async index(req: SimRequest): Promise<SimReply> {
		const noCache = { 'Cache-Control': 'no-cache', Pragma: 'no-cache', Expires: '0' };
		if (!this.root) {
			return { status: 200, headers: { ...noCache, 'Content-Type': 'text/html' }, body: PLACEHOLDER };
		}
		try {
			return await fileReply(req, resolve(this.root, 'index.html'), noCache);
		} catch {
			return raisedStatus(404);
		}
	}

	/** Any other GET: a file below the root, a raised 403 for a folder, a raised 404 otherwise. */
	async file(req: SimRequest): Promise<SimReply> {
		if (!this.root) return raisedStatus(404);
		const relative = decodeURIComponent(req.rawPath).replace(/^\/+/, '');
		const file = resolve(this.root, relative);
		if (file !== this.root && !file.startsWith(this.root + sep)) return raisedStatus(403);
		try {
			const info = await stat(file);
			if (info.isDirectory()) return raisedStatus(403);
			return await fileReply(req, file, {});
		} catch {
			return raisedStatus(404);
		}
	}
}
