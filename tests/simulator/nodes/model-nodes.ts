// The standard Stable Diffusion pipeline, simulated: loaders take a moment (plus the slow-model-load
// control), text encoders keep their text, samplers report per-step progress with JPEG previews while a
// deterministic picture (from seed, prompt and size) emerges from seeded noise, and VAE decode/encode move
// between latents and images. txt2img, img2img, LoRA, SDXL base+refiner and model upscaling all run.
import { cropToAspect, createImage, isImage, resizeImage, type ImageTensor } from '../image';
import { pyStr } from '../py-format';
import { isSimValue, type SimValue } from './generic';
import { blend, matchSize, renderNoise, renderPicture } from './picture';
import { PyError, type NodeContext, type NodeImpl } from './types';

interface Latent extends SimValue {
	kind: 'LATENT';
	width: number;
	height: number;
	batch: number;
	/** What the latent "looks like" decoded; null for an empty latent. */
	image: ImageTensor | null;
}

function num(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function latent(value: unknown): Latent {
	if (isSimValue(value, 'LATENT')) return value as Latent;
	return { kind: 'LATENT', width: 512, height: 512, batch: 1, image: null };
}

function text(value: unknown): string {
	return isSimValue(value, 'CONDITIONING') ? pyStr(value['text'] ?? '') : '';
}

function modelInfo(value: unknown): { name: string; loras: string } {
	if (!isSimValue(value, 'MODEL')) return { name: 'unknown', loras: '' };
	return { name: pyStr(value['name'] ?? ''), loras: pyStr(value['loras'] ?? '') };
}

/** Simulated seconds per sampling step: SDXL-sized models are slower. */
function stepSeconds(model: { name: string }): number {
	return /xl|refiner/i.test(model.name) ? 0.25 : 0.1;
}

async function load(ctx: NodeContext, seconds: number): Promise<void> {
	await ctx.sleep(seconds + ctx.modelLoadDelay());
}

function firstOf(image: ImageTensor): ImageTensor {
	if (image.batch === 1) return image;
	const single = createImage(1, image.height, image.width);
	single.data.set(image.data.subarray(0, image.width * image.height * 3));
	return single;
}

const ease = (t: number) => 1 - (1 - t) * (1 - t);

/**
 * The sampler core: walks from the start image (noise, or the input picture for img2img) towards the final
 * picture over `steps`, running steps `first+1 … last`, with one progress message and preview per step.
 */
async function sample(
	ctx: NodeContext,
	options: {
		model: unknown;
		seed: number;
		steps: number;
		first: number;
		last: number;
		denoise: number;
		positive: string;
		negative: string;
		latent: Latent;
		addNoise: boolean;
		extraSalt: string;
	}
): Promise<Latent> {
	const { latent: input, steps } = options;
	const size = { width: input.width, height: input.height, batch: input.batch };
	const model = modelInfo(options.model);
	const final = renderPicture({
		...size,
		seed: options.seed,
		positive: options.positive,
		negative: options.negative,
		salt: `${model.loras}|${options.extraSalt}`
	});
	const noise = renderNoise(size.width, size.height, size.batch, options.seed);
	const source = input.image ? matchSize(input.image, size) : null;
	const denoise = Math.max(0, Math.min(1, options.denoise));
	const target = source && denoise < 1 ? blend(source, final, denoise) : final;
	let start = source ?? noise;
	if (source && options.addNoise) start = blend(source, noise, denoise);
	const count = Math.max(0, Math.min(options.last, steps) - options.first);
	const previewStart = firstOf(start);
	const previewTarget = firstOf(target);
	// The preview-stream control: a steady real-time rate and a few frames cycled (encoded once), so a slow
	// machine can still stream full-size previews at e.g. 20/s. A late step is not caught up with a burst.
	const stream = ctx.previewStream();
	const pool = stream
		? Array.from({ length: stream.frames }, (_, i) =>
				blend(previewStart, previewTarget, (i + 1) / stream.frames)
			)
		: [];
	let deadline = performance.now();
	for (let k = 1; k <= count; k++) {
		if (stream) {
			deadline = Math.max(deadline + 1000 / stream.fps, performance.now());
			await ctx.sleepReal(deadline - performance.now());
		} else await ctx.sleep(stepSeconds(model));
		const t = ease((options.first + k) / steps);
		await ctx.progress(k, count, {
			format: 'JPEG',
			image: pool[(k - 1) % pool.length] ?? blend(previewStart, previewTarget, t),
			maxSize: 512
		});
	}
	const reached = ease(Math.min(options.last, steps) / steps);
	return { ...size, kind: 'LATENT', image: reached >= 1 ? target : blend(start, target, reached) };
}

function emptyLatent(inputs: Record<string, unknown>): Latent {
	return {
		kind: 'LATENT',
		width: Math.trunc(num(inputs['width'], 512)),
		height: Math.trunc(num(inputs['height'], 512)),
		batch: Math.trunc(num(inputs['batch_size'], 1)),
		image: null
	};
}

function vaeEncode(inputs: Record<string, unknown>): { outputs: unknown[] } {
	const pixels = inputs['pixels'];
	if (!isImage(pixels)) throw new PyError('AttributeError', "'NoneType' object has no attribute 'shape'");
	const width = Math.max(8, Math.floor(pixels.width / 8) * 8);
	const height = Math.max(8, Math.floor(pixels.height / 8) * 8);
	const cropped =
		width === pixels.width && height === pixels.height ? pixels : cropToAspect(pixels, width, height);
	const image = matchSize(cropped, { width, height, batch: pixels.batch });
	const out: Latent = { kind: 'LATENT', width, height, batch: pixels.batch, image };
	return { outputs: [out] };
}

function checkpoint(name: string): SimValue[] {
	return [
		{ kind: 'MODEL', name, loras: '' },
		{ kind: 'CLIP', name, loras: '' },
		{ kind: 'VAE', name }
	];
}

const loadSeconds = (name: string) => (/xl|refiner/i.test(name) ? 2 : 1);

export const modelNodes: Record<string, NodeImpl> = {
	CheckpointLoaderSimple: {
		async run(inputs, ctx) {
			const name = pyStr(inputs['ckpt_name']);
			await load(ctx, loadSeconds(name));
			return { outputs: checkpoint(name) };
		}
	},
	CheckpointLoader: {
		async run(inputs, ctx) {
			const name = pyStr(inputs['ckpt_name']);
			await load(ctx, loadSeconds(name));
			return { outputs: checkpoint(name) };
		}
	},
	UNETLoader: {
		async run(inputs, ctx) {
			await load(ctx, 2);
			return { outputs: [{ kind: 'MODEL', name: pyStr(inputs['unet_name']), loras: '' }] };
		}
	},
	CLIPLoader: {
		async run(inputs, ctx) {
			await load(ctx, 0.5);
			return { outputs: [{ kind: 'CLIP', name: pyStr(inputs['clip_name']), loras: '' }] };
		}
	},
	VAELoader: {
		async run(inputs, ctx) {
			await load(ctx, 0.2);
			return { outputs: [{ kind: 'VAE', name: pyStr(inputs['vae_name']) }] };
		}
	},
	LoraLoader: {
		async run(inputs, ctx) {
			await load(ctx, 0.2);
			const lora = `${pyStr(inputs['lora_name'])}@${num(inputs['strength_model'], 1)}`;
			const model = isSimValue(inputs['model']) ? inputs['model'] : { kind: 'MODEL', name: '', loras: '' };
			const clip = isSimValue(inputs['clip']) ? inputs['clip'] : { kind: 'CLIP', name: '', loras: '' };
			return {
				outputs: [
					{ ...model, loras: `${pyStr(model['loras'] ?? '')}+${lora}` },
					{ ...clip, loras: `${pyStr(clip['loras'] ?? '')}+${lora}` }
				]
			};
		}
	},
	LoraLoaderModelOnly: {
		async run(inputs, ctx) {
			await load(ctx, 0.2);
			const model = isSimValue(inputs['model']) ? inputs['model'] : { kind: 'MODEL', name: '', loras: '' };
			const lora = `${pyStr(inputs['lora_name'])}@${num(inputs['strength_model'], 1)}`;
			return { outputs: [{ ...model, loras: `${pyStr(model['loras'] ?? '')}+${lora}` }] };
		}
	},
	CLIPTextEncode: {
		run(inputs) {
			const clip = isSimValue(inputs['clip']) ? pyStr(inputs['clip']['loras'] ?? '') : '';
			return { outputs: [{ kind: 'CONDITIONING', text: pyStr(inputs['text'] ?? ''), clip }] };
		}
	},
	EmptyLatentImage: { run: (inputs) => ({ outputs: [emptyLatent(inputs)] }) },
	EmptySD3LatentImage: { run: (inputs) => ({ outputs: [emptyLatent(inputs)] }) },
	KSampler: {
		async run(inputs, ctx) {
			const steps = Math.max(1, Math.trunc(num(inputs['steps'], 20)));
			const result = await sample(ctx, {
				model: inputs['model'],
				seed: num(inputs['seed'], 0),
				steps,
				first: 0,
				last: steps,
				denoise: num(inputs['denoise'], 1),
				positive: text(inputs['positive']),
				negative: text(inputs['negative']),
				latent: latent(inputs['latent_image']),
				addNoise: true,
				extraSalt: `${num(inputs['cfg'], 8)}`
			});
			return { outputs: [result] };
		}
	},
	KSamplerAdvanced: {
		async run(inputs, ctx) {
			const steps = Math.max(1, Math.trunc(num(inputs['steps'], 20)));
			const result = await sample(ctx, {
				model: inputs['model'],
				seed: num(inputs['noise_seed'], 0),
				steps,
				first: Math.max(0, Math.trunc(num(inputs['start_at_step'], 0))),
				last: Math.trunc(num(inputs['end_at_step'], 10000)),
				denoise: 1,
				positive: text(inputs['positive']),
				negative: text(inputs['negative']),
				latent: latent(inputs['latent_image']),
				addNoise: inputs['add_noise'] !== 'disable',
				extraSalt: `${num(inputs['cfg'], 8)}`
			});
			return { outputs: [result] };
		}
	},
	RandomNoise: { run: (inputs) => ({ outputs: [{ kind: 'NOISE', seed: num(inputs['noise_seed'], 0) }] }) },
	BasicScheduler: {
		run: (inputs) => ({
			outputs: [{ kind: 'SIGMAS', steps: num(inputs['steps'], 20), denoise: num(inputs['denoise'], 1) }]
		})
	},
	BasicGuider: {
		run: (inputs) => ({
			outputs: [
				{ kind: 'GUIDER', model: inputs['model'], positive: text(inputs['conditioning']), negative: '' }
			]
		})
	},
	CFGGuider: {
		run: (inputs) => ({
			outputs: [
				{
					kind: 'GUIDER',
					model: inputs['model'],
					positive: text(inputs['positive']),
					negative: text(inputs['negative'])
				}
			]
		})
	},
	SamplerCustomAdvanced: {
		async run(inputs, ctx) {
			const sigmas: Record<string, unknown> = isSimValue(inputs['sigmas']) ? inputs['sigmas'] : {};
			const guider: Record<string, unknown> = isSimValue(inputs['guider']) ? inputs['guider'] : {};
			const steps = Math.max(1, Math.trunc(num(sigmas['steps'], 20)));
			const result = await sample(ctx, {
				model: guider['model'],
				seed: isSimValue(inputs['noise']) ? num(inputs['noise']['seed'], 0) : 0,
				steps,
				first: 0,
				last: steps,
				denoise: num(sigmas['denoise'], 1),
				positive: pyStr(guider['positive'] ?? ''),
				negative: pyStr(guider['negative'] ?? ''),
				latent: latent(inputs['latent_image']),
				addNoise: true,
				extraSalt: 'custom'
			});
			return { outputs: [result, result] };
		}
	},
	VAEDecode: {
		run(inputs) {
			const samples = latent(inputs['samples']);
			const image = samples.image ?? renderNoise(samples.width, samples.height, samples.batch, 0);
			return { outputs: [matchSize(image, samples)] };
		}
	},
	VAEDecodeTiled: {
		run(inputs) {
			const samples = latent(inputs['samples']);
			const image = samples.image ?? renderNoise(samples.width, samples.height, samples.batch, 0);
			return { outputs: [matchSize(image, samples)] };
		}
	},
	VAEEncode: { run: (inputs) => vaeEncode(inputs) },
	VAEEncodeForInpaint: { run: (inputs) => vaeEncode(inputs) },
	LatentUpscale: {
		run(inputs) {
			const samples = latent(inputs['samples']);
			let width = Math.trunc(num(inputs['width'], 0));
			let height = Math.trunc(num(inputs['height'], 0));
			if (width === 0 && height === 0) return { outputs: [samples] };
			if (width === 0) width = Math.max(8, Math.round((samples.width * height) / samples.height));
			if (height === 0) height = Math.max(8, Math.round((samples.height * width) / samples.width));
			const image = samples.image ? resizeImage(samples.image, width, height) : null;
			return { outputs: [{ ...samples, width, height, image }] };
		}
	},
	LatentUpscaleBy: {
		run(inputs) {
			const samples = latent(inputs['samples']);
			const scale = num(inputs['scale_by'], 1.5);
			const width = Math.max(8, Math.round((samples.width * scale) / 8) * 8);
			const height = Math.max(8, Math.round((samples.height * scale) / 8) * 8);
			const image = samples.image ? resizeImage(samples.image, width, height) : null;
			return { outputs: [{ ...samples, width, height, image }] };
		}
	},
	UpscaleModelLoader: {
		async run(inputs, ctx) {
			await load(ctx, 0.3);
			const name = pyStr(inputs['model_name']);
			const match = /x(\d)|(\d)x/i.exec(name);
			return { outputs: [{ kind: 'UPSCALE_MODEL', name, scale: Number(match?.[1] ?? match?.[2] ?? 4) }] };
		}
	},
	ImageUpscaleWithModel: {
		async run(inputs, ctx) {
			const image = inputs['image'];
			if (!isImage(image)) throw new PyError('AttributeError', "'NoneType' object has no attribute 'shape'");
			const scale = isSimValue(inputs['upscale_model']) ? num(inputs['upscale_model']['scale'], 4) : 4;
			// Real upscalers work in tiles and report progress per tile.
			const tiles = 4;
			for (let tile = 1; tile <= tiles; tile++) {
				await ctx.sleep(0.1);
				await ctx.progress(tile, tiles);
			}
			return { outputs: [resizeImage(image, image.width * scale, image.height * scale, 'bicubic')] };
		}
	}
};
