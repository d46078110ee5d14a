// `folder_paths.get_save_image_path`: splits a filename prefix into subfolder and name, refuses prefixes
// that leave the folder, and continues the counter from the highest `name_NNNNN_` file already there.
import { posix } from 'node:path';
import { FOLDER_ROOTS, resolveInside, type FileStore, type FolderType } from '../file-store';
import { PyError } from './types';

export interface SavePath {
	/** Folder inside the output type ('' = root). */
	subfolder: string;
	filename: string;
	counter: number;
}

function computeVars(prefix: string, width: number, height: number): string {
	const now = new Date();
	const pad = (n: number) => String(n).padStart(2, '0');
	return prefix
		.replaceAll('%width%', String(width))
		.replaceAll('%height%', String(height))
		.replaceAll('%year%', String(now.getFullYear()))
		.replaceAll('%month%', pad(now.getMonth() + 1))
		.replaceAll('%day%', pad(now.getDate()))
		.replaceAll('%hour%', pad(now.getHours()))
		.replaceAll('%minute%', pad(now.getMinutes()))
		.replaceAll('%second%', pad(now.getSeconds()));
}

export function saveImagePath(options: {
	files: FileStore;
	type: FolderType;
	prefix: string;
	width: number;
	height: number;
}): SavePath {
	let prefix = options.prefix;
	if (prefix.includes('%')) prefix = computeVars(prefix, options.width, options.height);
	const normal = posix.normalize(prefix);
	const dir = posix.dirname(normal);
	const subfolder = dir === '.' ? '' : dir;
	const filename = posix.basename(normal);
	const inside = resolveInside(subfolder || '.');
	if (inside === null) {
		const root = FOLDER_ROOTS[options.type];
		throw new PyError(
			'Exception',
			`**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: ${posix.join(root, subfolder)}\n         output_dir: ${root}\n         commonpath: ComfyUI`
		);
	}
	const prefixLength = posix.basename(prefix).length;
	let counter = 1;
	let best: [number, string] | null = null;
	for (const name of options.files.list(options.type, inside)) {
		const head = name.slice(0, prefixLength + 1);
		const digitsText = name.slice(prefixLength + 1).split('_')[0] ?? '';
		const digits = /^\s*[+-]?\d+\s*$/.test(digitsText) ? Number(digitsText) : 0;
		if (head.slice(0, -1) !== filename || head.slice(-1) !== '_') continue;
		if (!best || digits > best[0] || (digits === best[0] && head > best[1])) best = [digits, head];
	}
	if (best) counter = best[0] + 1;
	return { subfolder, filename, counter };
}
