// The four test custom nodes installed in the recording server (see the transcripts' README): TestSlowImage
// (a seeded gradient built in steps, with progress and previews), TestFail (always raises), TestShowText
// (ui.text plus a custom `test_nodes.custom` event) and TestNoCache (never cached).
import { createImage, fillImage, isImage, type ImageTensor } from '../image';
import { pyStr } from '../py-format';
import { PyError, type NodeImpl } from './types';

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
	let state = (Math.floor(Math.abs(seed)) % 4294967296) >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The seeded gradient, `done` of the way from flat grey to the final picture. */
function slowImage(width: number, height: number, seed: number, done: number): ImageTensor {
	const random = seededRandom(seed);
	const a = [random(), random(), random()];
	const b = [random(), random(), random()];
	return fillImage(createImage(1, height, width), (_batch, y, x) => {
		const t = (x / Math.max(1, width - 1) + y / Math.max(1, height - 1)) / 2;
		const px = (c: number) => 0.5 + ((a[c] ?? 0) * (1 - t) + (b[c] ?? 0) * t - 0.5) * done;
		return [px(0), px(1), px(2)];
	});
}

function num(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export const testNodes: Record<string, NodeImpl> = {
	TestSlowImage: {
		async run(inputs, ctx) {
			const width = Math.trunc(num(inputs['width'], 64));
			const height = Math.trunc(num(inputs['height'], 64));
			const steps = Math.max(1, Math.trunc(num(inputs['steps'], 5)));
			const seconds = num(inputs['seconds_per_step'], 0.2);
			const seed = num(inputs['seed'], 0);
			const format = inputs['preview_format'] === 'PNG' ? 'PNG' : 'JPEG';
			const previews = inputs['send_previews'] !== false;
			for (let step = 1; step <= steps; step++) {
				await ctx.sleep(seconds);
				const preview = previews
					? ({ format, image: slowImage(width, height, seed, step / steps), maxSize: 512 } as const)
					: undefined;
				await ctx.progress(step, steps, preview);
			}
			return { outputs: [slowImage(width, height, seed, 1)] };
		}
	},
	TestFail: {
		run(inputs) {
			throw new PyError('RuntimeError', pyStr(inputs['message'] ?? 'TestFail'), [
				'  File "ComfyUI/custom_nodes/test_nodes.py", line 121, in run\n    raise RuntimeError(message)\n'
			]);
		}
	},
	TestShowText: {
		run(inputs, ctx) {
			const text = pyStr(inputs['text'] ?? '');
			ctx.sendEvent('test_nodes.custom', { node: inputs['unique_id'] ?? ctx.nodeId, text });
			const lines = [text];
			const image = inputs['image'];
			if (isImage(image)) lines.push(`image shape: [${image.batch}, ${image.height}, ${image.width}, 3]`);
			return { outputs: [text], ui: { text: lines } };
		}
	},
	TestNoCache: {
		isChanged: () => NaN,
		run(inputs) {
			return {
				outputs: [],
				ui: { text: [`${pyStr(inputs['label'] ?? '')} ran at ${(Date.now() / 1000).toFixed(3)}`] }
			};
		}
	}
};
