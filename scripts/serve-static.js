#!/usr/bin/env node
// A small static file server for the built app, used by `npm start` (with COMFYUI_URL) and the hosting e2e
// tests. Like ComfyUI's --front-end-root it answers the root with index.html and has NO directory index, so
// a build that only works with a directory index or an SPA fallback fails here too.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** @type {Record<string, string | undefined>} */
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.webp': 'image/webp',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.webmanifest': 'application/manifest+json'
};

/**
 * Serves `root` under `prefix` ("/" or "/deck/").
 * @param {{ root: string, prefix?: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startStaticServer({ root, prefix = '/', port = 0, host = '127.0.0.1' }) {
	const base = resolve(root);
	const mount = prefix.endsWith('/') ? prefix : `${prefix}/`;
	const server = createServer(async (req, res) => {
		let path;
		try {
			// `//x` parses as a host, and a bad %-escape throws: either would crash the handler.
			path = decodeURIComponent(new URL(`http://x${req.url ?? '/'}`).pathname);
		} catch {
			return send(res, 400, 'Bad request');
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
		if (!path.startsWith(mount)) return send(res, 404, 'Not found');
		const rel = path.slice(mount.length) || 'index.html';
		const file = normalize(join(base, rel));
		if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'Forbidden');
		try {
			const info = await stat(file);
			if (!info.isFile()) return send(res, 404, 'Not found'); // no directory index, like ComfyUI
			res.writeHead(200, {
				'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
				'content-length': info.size,
				'cache-control': rel.startsWith('_app/immutable/')
					? 'public, max-age=31536000, immutable'
					: 'no-cache'
			});
			if (req.method === 'HEAD') return res.end();
			createReadStream(file).pipe(res);
		} catch {
			send(res, 404, 'Not found');
		}
	});
	await new Promise((ok) => server.listen(port, host, () => ok(undefined)));
	const address = server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	return {
		url: `http://${host}:${actualPort}${mount}`,
		close: () => new Promise((ok) => server.close(() => ok(undefined)))
	};
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} text */
function send(res, status, text) {
	res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
	res.end(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const args = process.argv.slice(2);
	/** @param {string} name @param {string} fallback @returns {string} */
	const flag = (name, fallback) => {
		const i = args.indexOf(name);
		return (i >= 0 ? args[i + 1] : undefined) || fallback;
	};
	const { url } = await startStaticServer({
		root: flag('--root', 'build'),
		prefix: flag('--prefix', '/'),
		port: Number(flag('--port', '4173')),
		host: flag('--host', '127.0.0.1')
	});
	console.log(`Serving ${flag('--root', 'build')} at ${url}`);
}
