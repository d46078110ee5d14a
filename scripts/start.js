#!/usr/bin/env node
// `npm start`: build the app if the sources are newer than the build, then serve it.
// - With COMFYUI_URL: serve the build and point the app at that ComfyUI server.
// - Without: run the ComfyUI simulator with the build as its front-end root (same origin, exactly like
//   `python main.py --front-end-root build`), so a newcomer sees a whole generation work with no GPU.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startStaticServer } from './serve-static.js';

const BUILD_INDEX = 'build/index.html';
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

function newestMtime(path) {
	if (!existsSync(path)) return 0;
	const info = statSync(path);
	if (!info.isDirectory()) return info.mtimeMs;
	return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), info.mtimeMs);
}

function buildIfNeeded() {
	const built = existsSync(BUILD_INDEX) ? statSync(BUILD_INDEX).mtimeMs : 0;
	if (built && Math.max(...SOURCES.map(newestMtime)) <= built) return;
	console.log(built ? 'Sources changed: rebuilding…' : 'Building Comfy Deck (first start)…');
	const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
}

buildIfNeeded();
const port = Number(process.env.PORT ?? (process.env.COMFYUI_URL ? 8190 : 8188));
const host = process.env.HOST ?? '127.0.0.1';

if (process.env.COMFYUI_URL) {
	const { url } = await startStaticServer({ root: 'build', port, host });
	const comfy = process.env.COMFYUI_URL;
	console.log(`\nComfy Deck: ${url}?server=${encodeURIComponent(comfy)}`);
	console.log('(the page asks once before it adds that server to Settings: press Add)\n');
	console.log(`It talks to ComfyUI at ${comfy} from another origin, so start ComfyUI with`);
	console.log(`  python main.py --enable-cors-header ${new URL(url).origin}`);
	console.log('or serve Comfy Deck from ComfyUI itself: python main.py --front-end-root build\n');
} else if (existsSync('tests/simulator/cli.ts')) {
	console.log(
		'No COMFYUI_URL set: starting the ComfyUI simulator as the backend (demo mode, no GPU needed).'
	);
	console.log(
		`\nComfy Deck: http://${host}:${port}/  (served by the simulator, like ComfyUI --front-end-root)`
	);
	console.log('Try Generate → "SD 1.5 text to image" → Generate. Set COMFYUI_URL to use a real ComfyUI.\n');
	const child = spawn(
		'npx',
		['tsx', 'tests/simulator/cli.ts', '--port', String(port), '--host', host, '--front-end-root', 'build'],
		{ stdio: 'inherit' }
	);
	const stop = () => child.kill('SIGTERM');
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	child.on('exit', (code) => process.exit(code ?? 0));
} else {
	const { url } = await startStaticServer({ root: 'build', port, host });
	console.log(`\nComfy Deck: ${url}`);
	console.log('No server configured: add your ComfyUI in Settings, or set COMFYUI_URL=http://host:8188.\n');
}
