import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from './index';
import { openSocket, quietSimulator } from './test-helpers';

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

async function get(path: string, headers: Record<string, string> = {}) {
	if (!sim) throw new Error('no simulator');
	return fetch(`${sim.url}${path}`, { headers });
}

describe('routes', () => {
	it('answers every route with and without the /api prefix', async () => {
		sim = await quietSimulator();
		for (const path of [
			'/system_stats',
			'/queue',
			'/history',
			'/prompt',
			'/features',
			'/embeddings',
			'/models'
		]) {
			const plain = await get(path);
			const api = await get(`/api${path}`);
			expect(plain.status, path).toBe(200);
			expect(api.status, `/api${path}`).toBe(200);
			expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
		}
		expect(await (await get('/prompt')).json()).toEqual({ exec_info: { queue_remaining: 0 } });
		expect(await (await get('/api/jobs')).json()).toEqual({
			jobs: [],
			pagination: { offset: 0, limit: null, total: 0, has_more: false }
		});
	});

	it('lists the fake model folder and 404s an unknown folder', async () => {
		sim = await quietSimulator();
		expect(await (await get('/models/checkpoints')).json()).toContain('v1-5-pruned-emaonly.safetensors');
		expect(await (await get('/models/upscale_models')).json()).toEqual(['RealESRGAN_x4plus.pth']);
		expect((await get('/models/not_a_folder')).status).toBe(404);
		expect(await (await get('/embeddings')).json()).toEqual(['easynegative']);
	});

	it('fills object_info combos from the models and the uploaded inputs', async () => {
		sim = await quietSimulator();
		const info = (await (await get('/object_info')).json()) as Record<
			string,
			{ input: { required: Record<string, unknown[]> } }
		>;
		expect(Object.keys(info)).toHaveLength(572);
		expect(info['CheckpointLoaderSimple']?.input.required['ckpt_name']?.[0]).toContain(
			'sd_xl_base_1.0.safetensors'
		);
		expect(info['UpscaleModelLoader']?.input.required['model_name']).toEqual([
			'COMBO',
			{ multiselect: false, options: ['RealESRGAN_x4plus.pth'] }
		]);
		expect(info['VAELoader']?.input.required['vae_name']?.[0]).toEqual([
			'vae-ft-mse-840000-ema-pruned.safetensors',
			'pixel_space'
		]);
		expect(info['LoadImage']?.input.required['image']?.[0]).toEqual(['example.png']);
		expect(await (await get('/object_info/NoSuchNode')).json()).toEqual({});
	});

	it('reads a models directory', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sim-models-'));
		mkdirSync(join(dir, 'checkpoints', 'sdxl'), { recursive: true });
		writeFileSync(join(dir, 'checkpoints', 'sdxl', 'juggernaut.safetensors'), '');
		writeFileSync(join(dir, 'checkpoints', 'readme.txt'), '');
		sim = await quietSimulator({ modelsDir: dir });
		expect(await (await get('/models/checkpoints')).json()).toEqual(['sdxl/juggernaut.safetensors']);
		expect(await (await get('/models/loras')).json()).toEqual([]);
	});
});

describe('CORS and the Origin check', () => {
	it('adds the CORS headers when enabled, but not to the 500 of a body that is not JSON', async () => {
		sim = await quietSimulator({ cors: '*' });
		const ok = await get('/queue', { Origin: 'http://localhost:5173' });
		expect(ok.headers.get('access-control-allow-origin')).toBe('*');
		expect(ok.headers.get('access-control-allow-methods')).toBe('POST, GET, DELETE, PUT, OPTIONS, PATCH');
		const preflight = await fetch(`${sim.url}/prompt`, {
			method: 'OPTIONS',
			headers: { Origin: 'http://localhost:5173' }
		});
		expect(preflight.status).toBe(200);
		expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization');
		const crash = await fetch(`${sim.url}/prompt`, { method: 'POST', body: '{not json' });
		expect(crash.status).toBe(500);
		expect(crash.headers.get('access-control-allow-origin')).toBeNull();
		expect(await crash.text()).toBe('500 Internal Server Error\n\nServer got itself in trouble');
	});

	it('refuses a foreign Origin on a loopback Host with an empty 403 when CORS is off', async () => {
		sim = await quietSimulator({ cors: null });
		const port = sim.port;
		expect((await get('/system_stats', { Origin: 'http://localhost:5173' })).status).toBe(403);
		expect((await get('/queue', { Origin: 'https://evil.example' })).status).toBe(403);
		expect((await get('/queue', { Origin: `http://localhost:${port}` })).status).toBe(403);
		expect((await get('/queue', { Origin: `http://127.0.0.1:${port}` })).status).toBe(200);
		expect((await get('/queue', { Origin: 'http://127.0.0.1' })).status).toBe(200);
		expect((await get('/queue', { Origin: 'null' })).status).toBe(200);
		const refused = await fetch(`${sim.url}/prompt`, {
			method: 'OPTIONS',
			headers: { Origin: 'http://localhost:5173' }
		});
		expect(refused.status).toBe(403);
		expect(refused.headers.get('access-control-allow-origin')).toBeNull();
		await expect(openSocket(sim.url, { origin: 'http://localhost:5173' })).rejects.toThrow('403');
		const same = await openSocket(sim.url, { origin: `http://127.0.0.1:${port}` });
		await same.waitFor((f) => f.length > 0);
		await same.close();
	});
});

describe('WebSocket connect', () => {
	it('sends status with the clientId as sid, or a generated hex sid', async () => {
		sim = await quietSimulator();
		const named = await openSocket(sim.url, { clientId: 'tab-1' });
		const [first] = await named.waitFor((f) => f.length >= 1);
		expect(first).toEqual({
			type: 'status',
			data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'tab-1' }
		});
		const anonymous = await openSocket(sim.url);
		const [status] = await anonymous.waitFor((f) => f.length >= 1);
		expect(status?.data?.['sid']).toMatch(/^[0-9a-f]{32}$/);
		await named.close();
		await anonymous.close();
	});

	it('answers the feature_flags handshake only as the first message', async () => {
		sim = await quietSimulator();
		const first = await openSocket(sim.url, { clientId: 'flags' });
		first.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
		const frames = await first.waitFor((f) => f.length >= 2);
		expect(frames[1]?.type).toBe('feature_flags');
		expect(frames[1]?.data?.['supports_preview_metadata']).toBe(true);
		const late = await openSocket(sim.url, { clientId: 'late' });
		late.ws.send(JSON.stringify({ type: 'hello', data: {} }));
		late.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
		await new Promise((r) => setTimeout(r, 50));
		expect(late.frames.map((f) => f.type)).toEqual(['status']);
		await first.close();
		await late.close();
	});
});

describe('front-end root', () => {
	it('serves index.html at / and files, with no directory index', async () => {
		const root = mkdtempSync(join(tmpdir(), 'sim-root-'));
		writeFileSync(join(root, 'index.html'), '<!doctype html><title>deck</title>');
		mkdirSync(join(root, '_app'));
		writeFileSync(join(root, '_app', 'start.js'), 'export {}');
		sim = await quietSimulator({ frontEndRoot: root });
		const index = await get('/');
		expect(index.headers.get('cache-control')).toBe('no-cache');
		expect(await index.text()).toContain('<title>deck</title>');
		const script = await get('/_app/start.js');
		expect(script.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
		expect((await get('/_app/')).status).toBe(403);
		const missing = await get('/nope.js');
		expect(missing.status).toBe(404);
		expect(await missing.text()).toBe('404: Not Found');
	});
});
