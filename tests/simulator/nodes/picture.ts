// The simulated diffusion model's "art": a deterministic landscape whose palette comes from the prompt text
// and whose layout comes from the seed, and the seeded latent-like noise a sampler starts from. Same seed,
// prompt and size always give the same picture, so demo runs and tests are reproducible.
import { createImage, resizeImage, type ImageTensor } from '../image';
import { seededRandom } from './test-nodes';

/** FNV-1a of a string. */
export function textHash(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
	const k = (n: number) => (n + h * 12) % 12;
	const a = s * Math.min(l, 1 - l);
	const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
	return [f(0), f(8), f(4)];
}

export interface PictureOptions {
	width: number;
	height: number;
	batch: number;
	seed: number;
	positive: string;
	negative: string;
	/** Anything else that should change the picture (checkpoint, LoRAs, cfg). */
	salt: string;
}

/** The finished picture for a sampler run. */
export function renderPicture(options: PictureOptions): ImageTensor {
	const { width, height } = options;
	const image = createImage(options.batch, height, width);
	const palette = seededRandom(textHash(`${options.positive}\u0000${options.salt}`));
	const baseHue = palette();
	const skyTop = hsl(baseHue, 0.55, 0.25 + 0.2 * palette());
	const skyBottom = hsl((baseHue + 0.08) % 1, 0.6, 0.65 + 0.2 * palette());
	const ground = hsl((baseHue + 0.35 + 0.3 * palette()) % 1, 0.45, 0.3 + 0.15 * palette());
	const far = hsl((baseHue + 0.6) % 1, 0.3, 0.45);
	const sunColor = hsl((baseHue + 0.12) % 1, 0.9, 0.7);
	const muted = textHash(options.negative) % 7 === 0 ? 0.85 : 1;
	let i = 0;
	for (let b = 0; b < options.batch; b++) {
		const layout = seededRandom(options.seed + b * 7919);
		const sunX = 0.15 + 0.7 * layout();
		const sunY = 0.12 + 0.3 * layout();
		const sunR = 0.05 + 0.07 * layout();
		const f1 = 1 + 3 * layout();
		const p1 = layout() * Math.PI * 2;
		const f2 = 4 + 6 * layout();
		const p2 = layout() * Math.PI * 2;
		const level = 0.5 + 0.15 * layout();
		for (let y = 0; y < height; y++) {
			const v = y / Math.max(1, height - 1);
			for (let x = 0; x < width; x++) {
				const u = x / Math.max(1, width - 1);
				const hills =
					level + 0.08 * Math.sin(u * Math.PI * 2 * f1 + p1) + 0.03 * Math.sin(u * Math.PI * 2 * f2 + p2);
				const farHills = hills - 0.1 + 0.05 * Math.sin(u * Math.PI * 2 * (f2 / 2) + p1);
				let rgb: [number, number, number];
				if (v < farHills) {
					const t = v / Math.max(0.01, farHills);
					rgb = [0, 1, 2].map((c) => (skyTop[c] ?? 0) * (1 - t) + (skyBottom[c] ?? 0) * t) as [
						number,
						number,
						number
					];
					const d = Math.hypot((u - sunX) * (width / height), v - sunY);
					const glow = Math.max(0, 1 - d / sunR);
					const halo = Math.max(0, 1 - d / (sunR * 3)) * 0.25;
					rgb = rgb.map(
						(value, c) => value + ((sunColor[c] ?? 0) - value) * Math.min(1, glow * 4 + halo)
					) as [number, number, number];
				} else if (v < hills) rgb = far;
				else {
					const depth = (v - hills) / Math.max(0.01, 1 - hills);
					const stripes = 0.06 * Math.sin((u * 40 + depth * 25) * (1 + depth));
					rgb = ground.map((value) => value * (0.75 + 0.35 * depth) + stripes) as [number, number, number];
				}
				for (let c = 0; c < 3; c++) image.data[i++] = Math.min(1, Math.max(0, (rgb[c] ?? 0) * muted));
			}
		}
	}
	return image;
}

/** Seeded low-frequency noise, like a random latent seen through the VAE. */
export function renderNoise(width: number, height: number, batch: number, seed: number): ImageTensor {
	const small = createImage(batch, Math.max(1, Math.ceil(height / 8)), Math.max(1, Math.ceil(width / 8)));
	const random = seededRandom(seed ^ 0x5bd1e995);
	for (let i = 0; i < small.data.length; i++) small.data[i] = random();
	return resizeImage(small, width, height, 'bilinear');
}

/** `a + (b - a) * t`, element-wise (same sizes). */
export function blend(a: ImageTensor, b: ImageTensor, t: number): ImageTensor {
	const out = createImage(a.batch, a.height, a.width);
	for (let i = 0; i < out.data.length; i++) {
		const x = a.data[i] ?? 0;
		out.data[i] = x + ((b.data[i] ?? 0) - x) * t;
	}
	return out;
}

/** The image resized (and batch-broadcast) to match `like`. */
export function matchSize(
	image: ImageTensor,
	like: { width: number; height: number; batch: number }
): ImageTensor {
	let out =
		image.width === like.width && image.height === like.height
			? image
			: resizeImage(image, like.width, like.height);
	if (out.batch !== like.batch) {
		const single = out.width * out.height * 3;
		const batched = createImage(like.batch, out.height, out.width);
		for (let b = 0; b < like.batch; b++) {
			const from = (b % out.batch) * single;
			batched.data.set(out.data.subarray(from, from + single), b * single);
		}
		out = batched;
	}
	return out;
}
