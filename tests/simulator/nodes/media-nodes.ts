// Video, animated image, audio and text nodes, answering as a real ComfyUI 0.8 did in m_media.json: SaveVideo
// and SaveWEBM list their file under `images` with `animated: [true]`, SaveAnimatedWEBP too, SaveAudio and
// PreviewAudio under `audio`, PrimitiveString feeds PreviewAny's `text`; LoadVideo and LoadAudio read files
// from input/ (or `name [output]`). The simulator does not encode video or audio: the files it saves are the
// ones the real server produced (tests/fixtures/comfyui/media, eight 64×48 frames of 0x3366CC, 0.5 s of
// silence), whatever the frames were (DIFFERENCES.md).
import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { annotatedFilepath, FOLDER_ROOTS, type FileStore, type FolderType } from '../file-store';
import { createImage, fillImage, isImage, toRgba, type ImageTensor } from '../image';
import { pyStr } from '../py-format';
import { encodeWebpLossless } from '../webp';
import { isSimValue } from './generic';
import { saveImagePath } from './save-path';
import { PyError, type NodeContext, type NodeImpl } from './types';

const MEDIA_DIR = new URL('../../fixtures/comfyui/media/', import.meta.url);
const recorded = new Map<string, Buffer>();

/** The bytes of a file the real server produced (read once). */
function recordedFile(name: string): Buffer {
	let data = recorded.get(name);
	if (!data) {
		data = readFileSync(new URL(name, MEDIA_DIR));
		recorded.set(name, data);
	}
	return data;
}

/** A simulated VIDEO: its frames, rate and, when loaded from a file, that file's bytes. */
interface VideoValue {
	kind: 'VIDEO';
	frames: ImageTensor;
	fps: number;
	audio: AudioValue | null;
	source?: Buffer;
}

/** A simulated AUDIO: how long, how sampled, and the file it came from. */
interface AudioValue {
	kind: 'AUDIO';
	duration: number;
	sampleRate: number;
	channels: number;
	source?: Buffer;
}

function num(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function images(value: unknown): ImageTensor {
	if (!isImage(value)) throw new PyError('AttributeError', "'NoneType' object has no attribute 'shape'");
	return value;
}

function video(value: unknown): VideoValue {
	if (!isSimValue(value, 'VIDEO'))
		throw new PyError('AttributeError', "'NoneType' object has no attribute 'save_to'");
	return value as unknown as VideoValue;
}

function audio(value: unknown): AudioValue {
	if (!isSimValue(value, 'AUDIO')) throw new PyError('TypeError', "'NoneType' object is not subscriptable");
	return value as unknown as AudioValue;
}

/** The frames the recorded video holds: what LoadVideo of any file gives back. */
function recordedFrames(): ImageTensor {
	return fillImage(createImage(8, 48, 64), () => [0x33 / 0xff, 0x66 / 0xff, 0xcc / 0xff]);
}

/** Saves one file as `<prefix>_NNNNN_.<ext>` and returns its UI entry. */
function saveFile(
	ctx: NodeContext,
	options: { type: FolderType; prefix: string; ext: string; data: Buffer; width?: number; height?: number }
): { filename: string; subfolder: string; type: FolderType } {
	const { subfolder, filename, counter } = saveImagePath({
		files: ctx.files,
		type: options.type,
		prefix: options.prefix,
		width: options.width ?? 0,
		height: options.height ?? 0
	});
	const name = `${filename.replaceAll('%batch_num%', '0')}_${String(counter).padStart(5, '0')}_.${options.ext}`;
	ctx.files.put(options.type, subfolder ? `${subfolder}/${name}` : name, options.data);
	return { filename: name, subfolder, type: options.type };
}

/** PreviewAudio's per-object random suffix, like PreviewImage's (`_temp_tiguu`). */
function tempPrefix(state: Record<string, unknown>): string {
	if (typeof state['prefixAppend'] !== 'string') {
		const letters = 'abcdefghijklmnopqrstupvxyz';
		state['prefixAppend'] =
			`_temp_${Array.from({ length: 5 }, () => letters[randomInt(letters.length)]).join('')}`;
	}
	return `ComfyUI${state['prefixAppend'] as string}`;
}

/** Where a LoadVideo/LoadAudio name points: "sub/name.mp4", optionally annotated " [output]". */
function inputFile(files: FileStore, name: string): { type: FolderType; path: string; data?: Buffer } {
	const annotated = annotatedFilepath(name);
	const type = annotated.type ?? 'input';
	const path = annotated.name.replace(/^\.\//, '');
	return { type, path, data: files.get(type, path)?.data };
}

function loader(input: string, what: string): Pick<NodeImpl, 'validate' | 'isChanged'> {
	return {
		validate: {
			inputs: [input],
			check: (values, ctx) => {
				const name = pyStr(values[input]);
				return inputFile(ctx.files, name).data ? true : `Invalid ${what} file: ${name}`;
			}
		},
		isChanged: (inputs, ctx) =>
			createHash('sha256')
				.update(inputFile(ctx.files, pyStr(inputs[input])).data ?? Buffer.alloc(0))
				.digest('hex')
	};
}

function missing(type: FolderType, path: string): PyError {
	return new PyError(
		'FileNotFoundError',
		`[Errno 2] No such file or directory: '${FOLDER_ROOTS[type]}/${path}'`
	);
}

export const mediaNodes: Record<string, NodeImpl> = {
	CreateVideo: {
		run(inputs) {
			const value: VideoValue = {
				kind: 'VIDEO',
				frames: images(inputs['images']),
				fps: num(inputs['fps'], 30),
				audio: isSimValue(inputs['audio'], 'AUDIO') ? (inputs['audio'] as unknown as AudioValue) : null
			};
			return { outputs: [value] };
		}
	},
	GetVideoComponents: {
		run(inputs) {
			const value = video(inputs['video']);
			const silence: AudioValue = { kind: 'AUDIO', duration: 0, sampleRate: 44100, channels: 1 };
			return { outputs: [value.frames, value.audio ?? silence, value.fps] };
		}
	},
	LoadVideo: {
		...loader('file', 'video'),
		run(inputs, ctx) {
			const { type, path, data } = inputFile(ctx.files, pyStr(inputs['file']));
			if (!data) throw missing(type, path);
			const value: VideoValue = {
				kind: 'VIDEO',
				frames: recordedFrames(),
				fps: 8,
				audio: null,
				source: data
			};
			return { outputs: [value] };
		}
	},
	SaveVideo: {
		run(inputs, ctx) {
			const value = video(inputs['video']);
			const file = saveFile(ctx, {
				type: 'output',
				prefix: pyStr(inputs['filename_prefix'] ?? 'video/ComfyUI'),
				ext: 'mp4',
				data: value.source ?? recordedFile('harness_media_00001_.mp4'),
				width: value.frames.width,
				height: value.frames.height
			});
			return { outputs: [], ui: { images: [file], animated: [true] } };
		}
	},
	SaveWEBM: {
		run(inputs, ctx) {
			const frames = images(inputs['images']);
			const file = saveFile(ctx, {
				type: 'output',
				prefix: pyStr(inputs['filename_prefix'] ?? 'ComfyUI'),
				ext: 'webm',
				data: recordedFile('harness_media_00002_.webm'),
				width: frames.width,
				height: frames.height
			});
			return { outputs: [], ui: { images: [file], animated: [true] } };
		}
	},
	SaveAnimatedWEBP: {
		run(inputs, ctx) {
			const frames = images(inputs['images']);
			// One frame is a still WebP (encoded for real); more are the recorded animation.
			const data =
				frames.batch === 1
					? encodeWebpLossless(toRgba(frames), frames.width, frames.height)
					: recordedFile('harness_media_00001_.webp');
			const file = saveFile(ctx, {
				type: 'output',
				prefix: pyStr(inputs['filename_prefix'] ?? 'ComfyUI'),
				ext: 'webp',
				data,
				width: frames.width,
				height: frames.height
			});
			return { outputs: [], ui: { images: [file], animated: [frames.batch !== 1] } };
		}
	},
	EmptyAudio: {
		run(inputs) {
			const value: AudioValue = {
				kind: 'AUDIO',
				duration: num(inputs['duration'], 60),
				sampleRate: num(inputs['sample_rate'], 44100),
				channels: num(inputs['channels'], 2)
			};
			return { outputs: [value] };
		}
	},
	LoadAudio: {
		...loader('audio', 'audio'),
		run(inputs, ctx) {
			const { type, path, data } = inputFile(ctx.files, pyStr(inputs['audio']));
			if (!data) throw missing(type, path);
			const value: AudioValue = { kind: 'AUDIO', duration: 0.5, sampleRate: 8000, channels: 1, source: data };
			return { outputs: [value] };
		}
	},
	SaveAudio: {
		run(inputs, ctx) {
			const value = audio(inputs['audio']);
			const file = saveFile(ctx, {
				type: 'output',
				prefix: pyStr(inputs['filename_prefix'] ?? 'audio/ComfyUI'),
				ext: 'flac',
				data: value.source ?? recordedFile('harness_media_00001_.flac')
			});
			return { outputs: [], ui: { audio: [file] } };
		}
	},
	PreviewAudio: {
		run(inputs, ctx) {
			const value = audio(inputs['audio']);
			const file = saveFile(ctx, {
				type: 'temp',
				prefix: tempPrefix(ctx.state),
				ext: 'flac',
				data: value.source ?? recordedFile('harness_media_00001_.flac')
			});
			return { outputs: [], ui: { audio: [file] } };
		}
	},
	PrimitiveString: {
		run(inputs) {
			return { outputs: [pyStr(inputs['value'] ?? '')] };
		}
	}
};
