// The model-free image nodes the tests use, computed for real: EmptyImage, ImageInvert, ImageScale(By),
// LoadImage(Mask), SaveImage (PNG with `prompt`/`workflow` tEXt chunks), PreviewImage (temp files),
// GetImageSize (binary text event), PreviewAny and SaveImageWebsocket (full-size PNG previews).
import { createHash, randomInt } from 'node:crypto';
import { annotatedFilepath, FOLDER_ROOTS, type FileStore, type FolderType } from '../file-store';
import {
	cropToAspect,
	createImage,
	decodeImage,
	encodePng,
	fillImage,
	fromRgba,
	isImage,
	mapImage,
	resizeImage,
	type ImageTensor,
	type MaskTensor
} from '../image';
import { pyDumps, pyStr } from '../py-format';
import { saveImagePath } from './save-path';
import { PyError, type NodeContext, type NodeImpl } from './types';

function image(value: unknown, name = 'image'): ImageTensor {
	if (!isImage(value))
		throw new PyError('AttributeError', `'NoneType' object has no attribute 'shape' (${name})`);
	return value;
}

function int(value: unknown, fallback = 0): number {
	return typeof value === 'number' ? Math.trunc(value) : fallback;
}

/** Where a LoadImage name points: "sub/name.png", optionally annotated " [output]". */
function inputPath(name: string): { type: FolderType; path: string } {
	const annotated = annotatedFilepath(name);
	return { type: annotated.type ?? 'input', path: annotated.name.replace(/^\.\//, '') };
}

function fileExists(files: FileStore, name: string): boolean {
	const { type, path } = inputPath(name);
	return files.has(type, path) || files.isDir(type, path);
}

const LOAD_IMAGE_TRACEBACK = [
	'  File "ComfyUI/nodes.py", line 1664, in load_image\n    img = node_helpers.pillow(Image.open, image_path)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
	'  File "ComfyUI/node_helpers.py", line 31, in pillow\n    x = fn(arg)\n        ^^^^^^^\n',
	'  File "site-packages/PIL/Image.py", line 3715, in open\n    raise UnidentifiedImageError(msg)\n'
];

function loadImageFile(files: FileStore, name: string): { image: ImageTensor; alpha: Float32Array | null } {
	const { type, path } = inputPath(name);
	const diskPath = `${FOLDER_ROOTS[type]}/${path}`;
	const file = files.get(type, path);
	if (!file) {
		throw new PyError(
			'FileNotFoundError',
			`[Errno 2] No such file or directory: '${diskPath}'`,
			LOAD_IMAGE_TRACEBACK.slice(0, 2)
		);
	}
	let decoded;
	try {
		decoded = decodeImage(file.data);
	} catch {
		throw new PyError(
			'PIL.UnidentifiedImageError',
			`cannot identify image file '${diskPath}'`,
			LOAD_IMAGE_TRACEBACK
		);
	}
	let alpha: Float32Array | null = null;
	if (decoded.hasAlpha) {
		alpha = new Float32Array(decoded.width * decoded.height);
		for (let p = 0; p < alpha.length; p++) alpha[p] = (decoded.rgba[p * 4 + 3] ?? 255) / 255;
	}
	return { image: fromRgba(decoded.rgba, decoded.width, decoded.height), alpha };
}

function mask(width: number, height: number, data?: Float32Array): MaskTensor {
	return { kind: 'MASK', batch: 1, height, width, data: data ?? new Float32Array(width * height) };
}

const loadImageValidation: NodeImpl['validate'] = {
	inputs: ['image'],
	check: (values, ctx) => {
		const name = pyStr(values['image']);
		return fileExists(ctx.files, name) ? true : `Invalid image file: ${name}`;
	}
};

function fileHash(files: FileStore, name: string): string {
	const { type, path } = inputPath(name);
	const file = files.get(type, path);
	return createHash('sha256')
		.update(file?.data ?? Buffer.alloc(0))
		.digest('hex');
}

function saveImages(
	ctx: NodeContext,
	images: ImageTensor,
	options: {
		type: FolderType;
		prefix: string;
		level: number;
		metadata: boolean;
		prompt?: unknown;
		extra?: unknown;
	}
) {
	const { subfolder, filename, counter } = saveImagePath({
		files: ctx.files,
		type: options.type,
		prefix: options.prefix,
		width: images.width,
		height: images.height
	});
	const text: Record<string, string> = {};
	if (options.metadata) {
		if (options.prompt !== undefined && options.prompt !== null) text['prompt'] = pyDumps(options.prompt);
		if (typeof options.extra === 'object' && options.extra !== null) {
			for (const [key, value] of Object.entries(options.extra as Record<string, unknown>))
				text[key] = pyDumps(value);
		}
	}
	const results: Array<Record<string, string>> = [];
	for (let b = 0; b < images.batch; b++) {
		const name = `${filename.replaceAll('%batch_num%', String(b))}_${String(counter + b).padStart(5, '0')}_.png`;
		const path = subfolder ? `${subfolder}/${name}` : name;
		ctx.files.put(options.type, path, encodePng(images, { index: b, level: options.level, text }));
		results.push({ filename: name, subfolder, type: options.type });
	}
	return { outputs: [], ui: { images: results } };
}

/** PreviewImage's per-object random suffix, e.g. `_temp_evquc`. */
function tempSuffix(state: Record<string, unknown>): string {
	if (typeof state['prefixAppend'] !== 'string') {
		const letters = 'abcdefghijklmnopqrstupvxyz';
		state['prefixAppend'] =
			`_temp_${Array.from({ length: 5 }, () => letters[randomInt(letters.length)]).join('')}`;
	}
	return state['prefixAppend'] as string;
}

/** PreviewAny's text for a value. */
function previewText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return pyStr(value);
	if (value === null || value === undefined) return 'None';
	if (isImage(value)) return 'source exists, but could not be serialized.';
	return pyDumps(value);
}

export const imageNodes: Record<string, NodeImpl> = {
	EmptyImage: {
		run(inputs) {
			const color = int(inputs['color']);
			const rgb: [number, number, number] = [
				((color >> 16) & 0xff) / 0xff,
				((color >> 8) & 0xff) / 0xff,
				(color & 0xff) / 0xff
			];
			const out = createImage(
				int(inputs['batch_size'], 1),
				int(inputs['height'], 512),
				int(inputs['width'], 512)
			);
			return { outputs: [fillImage(out, () => rgb)] };
		}
	},
	ImageInvert: {
		run(inputs) {
			return { outputs: [mapImage(image(inputs['image']), (v) => 1 - v)] };
		}
	},
	ImageScale: {
		run(inputs) {
			const src = image(inputs['image']);
			let width = int(inputs['width']);
			let height = int(inputs['height']);
			if (width === 0 && height === 0) return { outputs: [src] };
			if (width === 0) width = Math.max(1, Math.round((src.width * height) / src.height));
			if (height === 0) height = Math.max(1, Math.round((src.height * width) / src.width));
			const cropped = inputs['crop'] === 'center' ? cropToAspect(src, width, height) : src;
			return {
				outputs: [resizeImage(cropped, width, height, String(inputs['upscale_method'] ?? 'bilinear'))]
			};
		}
	},
	ImageScaleBy: {
		run(inputs) {
			const src = image(inputs['image']);
			const scale = typeof inputs['scale_by'] === 'number' ? inputs['scale_by'] : 1;
			const method = String(inputs['upscale_method'] ?? 'bilinear');
			return {
				outputs: [resizeImage(src, Math.round(src.width * scale), Math.round(src.height * scale), method)]
			};
		}
	},
	LoadImage: {
		validate: loadImageValidation,
		isChanged: (inputs, ctx) => fileHash(ctx.files, pyStr(inputs['image'])),
		run(inputs, ctx) {
			const { image: loaded, alpha } = loadImageFile(ctx.files, pyStr(inputs['image']));
			const maskData = alpha ? alpha.map((a) => 1 - a) : undefined;
			return { outputs: [loaded, alpha ? mask(loaded.width, loaded.height, maskData) : mask(64, 64)] };
		}
	},
	LoadImageMask: {
		validate: loadImageValidation,
		isChanged: (inputs, ctx) => fileHash(ctx.files, pyStr(inputs['image'])),
		run(inputs, ctx) {
			const { image: loaded, alpha } = loadImageFile(ctx.files, pyStr(inputs['image']));
			const channel = String(inputs['channel'] ?? 'alpha');
			const pixels = loaded.width * loaded.height;
			const data = new Float32Array(pixels);
			const index = { red: 0, green: 1, blue: 2 }[channel];
			for (let p = 0; p < pixels; p++) {
				if (index !== undefined) data[p] = loaded.data[p * 3 + index] ?? 0;
				else data[p] = alpha ? 1 - (alpha[p] ?? 1) : 0;
			}
			if (index === undefined && !alpha) return { outputs: [mask(64, 64)] };
			return { outputs: [mask(loaded.width, loaded.height, data)] };
		}
	},
	SaveImage: {
		run(inputs, ctx) {
			return saveImages(ctx, image(inputs['images'], 'images'), {
				type: 'output',
				prefix: pyStr(inputs['filename_prefix'] ?? 'ComfyUI'),
				level: 4,
				metadata: true,
				prompt: inputs['prompt'],
				extra: inputs['extra_pnginfo']
			});
		}
	},
	PreviewImage: {
		run(inputs, ctx) {
			return saveImages(ctx, image(inputs['images'], 'images'), {
				type: 'temp',
				prefix: `ComfyUI${tempSuffix(ctx.state)}`,
				level: 1,
				metadata: true,
				prompt: inputs['prompt'],
				extra: inputs['extra_pnginfo']
			});
		}
	},
	GetImageSize: {
		run(inputs, ctx) {
			const src = image(inputs['image']);
			ctx.sendText(`width: ${src.width}, height: ${src.height}\n batch size: ${src.batch}`);
			return { outputs: [src.width, src.height, src.batch] };
		}
	},
	PreviewAny: {
		run(inputs) {
			return { outputs: [], ui: { text: [previewText(inputs['source'])] } };
		}
	},
	SaveImageWebsocket: {
		isChanged: () => Date.now() + Math.random(),
		async run(inputs, ctx) {
			const images = image(inputs['images'], 'images');
			for (let b = 0; b < images.batch; b++) {
				const single = createImage(1, images.height, images.width);
				const size = images.width * images.height * 3;
				single.data.set(images.data.subarray(b * size, (b + 1) * size));
				await ctx.progress(b, images.batch, { format: 'PNG', image: single, maxSize: null });
			}
			return { outputs: [], ui: {} };
		}
	}
};
