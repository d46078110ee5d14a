import { afterEach, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RunningSimulator } from './index';
import { openSocket, postJson, quietSimulator, type Frame, type TestSocket } from './test-helpers';

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

/** The default SD1.5 txt2img API workflow (as ComfyUI's default graph exports it). */
function txt2img(
	options: { seed?: number; steps?: number; width?: number; height?: number; text?: string } = {}
) {
	return {
		'4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
		'6': {
			class_type: 'CLIPTextEncode',
			inputs: { text: options.text ?? 'a lighthouse at dusk', clip: ['4', 1] }
		},
		'7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['4', 1] } },
		'5': {
			class_type: 'EmptyLatentImage',
			inputs: { width: options.width ?? 256, height: options.height ?? 192, batch_size: 1 }
		},
		'3': {
			class_type: 'KSampler',
			inputs: {
				seed: options.seed ?? 42,
				steps: options.steps ?? 6,
				cfg: 8,
				sampler_name: 'euler',
				scheduler: 'normal',
				denoise: 1,
				model: ['4', 0],
				positive: ['6', 0],
				negative: ['7', 0],
				latent_image: ['5', 0]
			}
		},
		'8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
		'9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } }
	};
}

async function run(socket: TestSocket, prompt: Record<string, unknown>) {
	if (!sim) throw new Error('no simulator');
	const start = socket.frames.length;
	const res = await postJson(`${sim.url}/prompt`, { prompt, client_id: socket.clientId });
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	const id = (res.body as { prompt_id: string }).prompt_id;
	const frames = (
		await socket.waitFor(
			(all) =>
				all
					.slice(start)
					.some((f) => f.type === 'executing' && f.data?.['node'] === null && f.data?.['prompt_id'] === id),
			20000
		)
	).slice(start);
	const saved = frames.find((f) => f.type === 'executed')?.data?.['output'] as {
		images: Array<Record<string, string>>;
	};
	const file = saved.images[0] ?? {};
	const png = Buffer.from(
		await (
			await fetch(
				`${sim.url}/view?filename=${file['filename']}&subfolder=${file['subfolder']}&type=${file['type']}`
			)
		).arrayBuffer()
	);
	return { frames, png };
}

const progressOf = (frames: Frame[], node: string) =>
	frames
		.filter((f) => f.type === 'progress' && f.data?.['node'] === node)
		.map((f) => [f.data?.['value'], f.data?.['max']]);

describe('simulated model pipeline', { timeout: 30_000 }, () => {
	it('runs txt2img with per-step progress and 512 px previews, deterministically from seed and prompt', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'sd' });
		const first = await run(socket, txt2img({ steps: 6 }));
		expect(progressOf(first.frames, '3')).toEqual([1, 2, 3, 4, 5, 6].map((v) => [v, 6]));
		const previews = first.frames.filter((f) => f.type === 'binary:1');
		expect(previews).toHaveLength(6);
		const decoded = jpeg.decode(previews[0]?.bytes?.subarray(8) ?? Buffer.alloc(0));
		expect([decoded.width, decoded.height]).toEqual([512, 384]);
		const image = PNG.sync.read(first.png);
		expect([image.width, image.height]).toEqual([256, 192]);
		// The same seed and prompt give the same picture, another seed another one.
		const again = await run(socket, txt2img({ steps: 6 }));
		expect(again.frames.find((f) => f.type === 'execution_cached')?.data?.['nodes']).toEqual([
			'3',
			'4',
			'5',
			'6',
			'7',
			'8',
			'9'
		]);
		const other = await run(socket, txt2img({ steps: 6, seed: 43 }));
		expect(PNG.sync.read(other.png).data.equals(image.data)).toBe(false);
		const sameAsFirst = await run(socket, txt2img({ steps: 6, seed: 42, text: 'a lighthouse at dusk' }));
		expect(PNG.sync.read(sameAsFirst.png).data.equals(image.data)).toBe(true);
		await socket.close();
	});

	it('runs img2img from an uploaded image at its size', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'sd' });
		const source = await run(socket, txt2img({ width: 200, height: 120, steps: 2 }));
		const form = new FormData();
		form.append('image', new Blob([new Uint8Array(source.png)], { type: 'image/png' }), 'source.png');
		await fetch(`${sim.url}/upload/image`, { method: 'POST', body: form });
		const prompt: Record<string, unknown> = {
			...txt2img({ steps: 4 }),
			'10': { class_type: 'LoadImage', inputs: { image: 'source.png' } },
			'11': { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } }
		};
		delete prompt['5'];
		const sampler = prompt['3'] as { inputs: Record<string, unknown> };
		prompt['3'] = { ...sampler, inputs: { ...sampler.inputs, latent_image: ['11', 0], denoise: 0.5 } };
		const result = await run(socket, prompt);
		expect(progressOf(result.frames, '3')).toHaveLength(4);
		const image = PNG.sync.read(result.png);
		expect([image.width, image.height]).toEqual([200, 120]);
		await socket.close();
	});

	it('runs KSamplerAdvanced over a step range, LoRAs and model upscaling', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'sd' });
		const base = txt2img({ steps: 4 });
		const prompt = {
			...base,
			'12': {
				class_type: 'LoraLoader',
				inputs: {
					model: ['4', 0],
					clip: ['4', 1],
					lora_name: 'add_detail.safetensors',
					strength_model: 1,
					strength_clip: 1
				}
			},
			'3': {
				class_type: 'KSamplerAdvanced',
				inputs: {
					model: ['12', 0],
					add_noise: 'enable',
					noise_seed: 1,
					steps: 10,
					cfg: 7,
					sampler_name: 'euler',
					scheduler: 'normal',
					positive: ['6', 0],
					negative: ['7', 0],
					latent_image: ['5', 0],
					start_at_step: 2,
					end_at_step: 7,
					return_with_leftover_noise: 'disable'
				}
			},
			'13': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'RealESRGAN_x4plus.pth' } },
			'14': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['13', 0], image: ['8', 0] } },
			'9': { class_type: 'SaveImage', inputs: { filename_prefix: 'up', images: ['14', 0] } }
		};
		const result = await run(socket, prompt);
		expect(progressOf(result.frames, '3')).toEqual([1, 2, 3, 4, 5].map((v) => [v, 5]));
		expect(progressOf(result.frames, '14')).toHaveLength(4);
		expect(PNG.sync.read(result.png).width).toBe(1024);
		await socket.close();
	});
});
