import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningSimulator } from './index';
import { invertPrompt, openSocket, postJson, quietSimulator } from './test-helpers';

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

function url(path: string): string {
	if (!sim) throw new Error('no simulator');
	return `${sim.url}${path}`;
}

const slow = (steps: number) => ({
	'10': {
		class_type: 'TestSlowImage',
		inputs: {
			width: 8,
			height: 8,
			steps,
			seconds_per_step: 0.2,
			seed: 1,
			preview_format: 'JPEG',
			send_previews: false
		}
	},
	'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'c/slow' } }
});

describe('test controls', () => {
	it('restart empties queue and history and cuts every socket', async () => {
		sim = await quietSimulator({ timeScale: 0.2 });
		const socket = await openSocket(sim.url, { clientId: 'r' });
		await postJson(url('/prompt'), { prompt: invertPrompt('c/r'), client_id: 'r' });
		await socket.waitFor((f) => f.some((x) => x.type === 'executing' && x.data?.['node'] === null));
		await postJson(url('/prompt'), { prompt: slow(100), client_id: 'r' });
		await postJson(url('/prompt'), { prompt: slow(1), client_id: 'r' });
		await sim.controls.restart();
		expect(await socket.closed).toBe(1006);
		expect(await (await fetch(url('/queue'))).json()).toEqual({ queue_running: [], queue_pending: [] });
		expect(await (await fetch(url('/history'))).json()).toEqual({});
		const res = await postJson(url('/prompt'), { prompt: invertPrompt('c/r2') });
		expect((res.body as { number: number }).number).toBe(0);
		const fresh = await openSocket(sim.url, { clientId: 'r' });
		await fresh.waitFor((f) => f.length > 0);
		await fresh.close();
	});

	it('logs every run with how it ended, across restarts', async () => {
		sim = await quietSimulator({ timeScale: 0.2, testMode: true });
		const socket = await openSocket(sim.url, { clientId: 'log' });
		const first = await postJson(url('/prompt'), { prompt: invertPrompt('c/log'), client_id: 'log' });
		await socket.waitFor((f) => f.some((x) => x.type === 'executing' && x.data?.['node'] === null));
		const long = await postJson(url('/prompt'), { prompt: slow(100), client_id: 'log' });
		await socket.waitFor((f) => f.some((x) => x.type === 'progress'));
		await sim.controls.restart();
		const id = (r: { body: unknown }) => (r.body as { prompt_id: string }).prompt_id;
		const expected = [
			{ promptId: id(first), outcome: 'success' },
			{ promptId: id(long), outcome: 'cut' }
		];
		expect(sim.controls.runs()).toEqual(expected);
		expect((await postJson(url('/__sim/control'), { action: 'runs' })).body).toEqual({
			ok: true,
			runs: expected
		});
	});

	it('drops a socket after N frames like a network cut', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'drop' });
		await socket.waitFor((f) => f.length >= 1);
		sim.controls.dropSocketsAfter({ clientId: 'drop', frames: 3 });
		await postJson(url('/prompt'), { prompt: invertPrompt('c/d'), client_id: 'drop' });
		expect(await socket.closed).toBe(1006);
		expect(socket.frames).toHaveLength(4);
		const again = await openSocket(sim.url, { clientId: 'drop' });
		await again.waitFor((f) => f.length >= 1);
		expect(again.ws.readyState).toBe(again.ws.OPEN);
		await again.close();
	});

	it('answers a route with an error for the given number of times', async () => {
		sim = await quietSimulator();
		sim.controls.failRoute({ path: '/queue', status: 500, times: 1 });
		const failed = await fetch(url('/api/queue'));
		expect(failed.status).toBe(500);
		expect(failed.headers.get('access-control-allow-origin')).toBe('*');
		expect((await fetch(url('/api/queue'))).status).toBe(200);
		sim.controls.failRoute({ path: '/prompt', status: 503, times: 2 });
		expect((await postJson(url('/prompt'), { prompt: invertPrompt() })).status).toBe(503);
		expect((await postJson(url('/prompt'), { prompt: invertPrompt() })).status).toBe(503);
		expect((await postJson(url('/prompt'), { prompt: invertPrompt() })).status).toBe(200);
	});

	it('refuses the next WebSocket upgrades with 503 and counts them, HTTP still answering', async () => {
		sim = await quietSimulator({ testMode: true });
		const statusOf = (clientId: string) =>
			new Promise<number>((resolve) => {
				const ws = new WebSocket(`${url('/ws').replace('http', 'ws')}?clientId=${clientId}`);
				ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
				ws.on('open', () => {
					ws.close();
					resolve(101);
				});
				ws.on('error', () => undefined);
			});
		expect(await postJson(url('/__sim/control'), { action: 'refuseUpgrades', times: 2 })).toEqual({
			status: 200,
			body: { ok: true }
		});
		expect(await statusOf('a')).toBe(503);
		expect((await fetch(url('/api/queue'))).status).toBe(200);
		expect(await statusOf('b')).toBe(503);
		expect(await statusOf('c')).toBe(101);
		expect((await postJson(url('/__sim/control'), { action: 'upgradeCounts' })).body).toEqual({
			ok: true,
			accepted: 1,
			refused: 2
		});
	});

	it('delays frames so the POST reply comes first, keeping their order', async () => {
		sim = await quietSimulator({ timeScale: 1 });
		const socket = await openSocket(sim.url, { clientId: 'late' });
		await socket.waitFor((f) => f.length >= 1);
		sim.controls.delayMessages({ ms: 300 });
		await postJson(url('/prompt'), { prompt: invertPrompt('c/late'), client_id: 'late' });
		expect(socket.frames).toHaveLength(1);
		const frames = await socket.waitFor((f) =>
			f.some((x) => x.type === 'executing' && x.data?.['node'] === null)
		);
		expect(frames.slice(1, 4).map((f) => f.type)).toEqual(['status', 'status', 'execution_start']);
		await socket.close();
	});

	it('injects malformed frames and keeps working', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'junk' });
		await socket.waitFor((f) => f.length >= 1);
		expect(sim.controls.injectMalformedFrames({ clientId: 'junk' })).toBe(1);
		const frames = await socket.waitFor((f) => f.length >= 12);
		expect(frames.map((f) => f.raw)).toContain('this is not json');
		expect(frames.some((f) => f.type === 'binary:-1')).toBe(true);
		expect(frames.some((f) => f.type === 'binary:99')).toBe(true);
		const res = await postJson(url('/prompt'), { prompt: invertPrompt('c/junk') });
		expect(res.status).toBe(200);
	});

	it('makes model loads silent for a long (scaled) time', async () => {
		sim = await quietSimulator({ timeScale: 0.001 });
		sim.controls.slowModelLoad({ ms: 1_000_000 });
		const socket = await openSocket(sim.url, { clientId: 'slow' });
		const prompt = {
			'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
			'5': { class_type: 'PreviewAny', inputs: { source: ['4', 0] } }
		};
		await postJson(url('/prompt'), { prompt, client_id: 'slow' });
		await socket.waitFor((f) => f.some((x) => x.type === 'executing' && x.data?.['node'] === '4'));
		const count = socket.frames.length;
		await new Promise((r) => setTimeout(r, 200));
		expect(socket.frames.length).toBe(count);
		const queue = (await (await fetch(url('/queue'))).json()) as { queue_running: unknown[] };
		expect(queue.queue_running).toHaveLength(1);
		await socket.close();
	});

	it('streams sampler previews at a steady real-time rate, cycling a few frames, until reset', async () => {
		// At this time scale a normal step takes 1 ms; under the control each takes 1/fps of real time.
		sim = await quietSimulator({ timeScale: 0.01, testMode: true });
		const ok = await postJson(url('/__sim/control'), { action: 'previewStream', fps: 50, frames: 3 });
		expect(ok).toEqual({ status: 200, body: { ok: true } });
		const socket = await openSocket(sim.url, { clientId: 'stream' });
		await socket.waitFor((f) => f.length >= 1);
		const arrivals: number[] = [];
		socket.ws.on('message', (_data, isBinary) => {
			if (isBinary) arrivals.push(performance.now());
		});
		const sampler = (seed: number) => ({
			'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
			'6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
			'5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
			'3': {
				class_type: 'KSampler',
				inputs: {
					...{ seed, steps: 12, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1 },
					...{ model: ['4', 0], positive: ['6', 0], negative: ['6', 0], latent_image: ['5', 0] }
				}
			},
			'8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
			'9': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } }
		});
		const previewsOf = async (seed: number) => {
			const start = socket.frames.length;
			await postJson(url('/prompt'), { prompt: sampler(seed), client_id: 'stream' });
			const frames = await socket.waitFor((f) =>
				f.slice(start).some((x) => x.type === 'executing' && x.data?.['node'] === null)
			);
			return frames
				.slice(start)
				.filter((f) => f.type === 'binary:1')
				.map((f) => f.bytes?.toString('base64'));
		};

		const streamed = await previewsOf(1);
		expect(streamed).toHaveLength(12);
		expect(new Set(streamed).size).toBe(3);
		expect(streamed.slice(3, 6)).toEqual(streamed.slice(0, 3));
		// 11 intervals of 20 ms at least (timers never fire early by more than a little).
		expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(180);

		await postJson(url('/__sim/control'), { action: 'reset' });
		expect(new Set(await previewsOf(2)).size).toBe(12);
		await socket.close();
		// Encoding 15 JPEG previews takes ~1 s on a quiet core and several on a loaded one: a time limit here
		// would test the machine, not the stream (whose pacing is asserted above as a lower bound).
	}, 30_000);

	it('offers the controls over HTTP only in test mode', async () => {
		sim = await quietSimulator({ testMode: true });
		const ok = await postJson(url('/__sim/control'), {
			action: 'failRoute',
			path: '/system_stats',
			status: 500
		});
		expect(ok).toEqual({ status: 200, body: { ok: true } });
		expect((await fetch(url('/system_stats'))).status).toBe(500);
		const bad = await postJson(url('/__sim/control'), { action: 'explode' });
		expect(bad.status).toBe(400);
		await sim.close();
		sim = await quietSimulator();
		expect((await postJson(url('/__sim/control'), { action: 'reset' })).status).toBe(404);
	});
});
