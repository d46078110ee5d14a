// ComfyUI's input/, output/ and temp/ folders, kept in memory so the simulator never writes into the repo.
// Paths are POSIX relative paths ("harness/success_00001_.png"); the escape checks mirror ComfyUI's
// `os.path.commonpath` tests.
import { posix } from 'node:path';

export type FolderType = 'input' | 'output' | 'temp';

export const FOLDER_TYPES: readonly FolderType[] = ['input', 'output', 'temp'];

/** One stored file. */
export interface StoredFile {
	data: Buffer;
	mtimeMs: number;
}

/** Root of each folder as ComfyUI would report it in error messages. */
export const FOLDER_ROOTS: Record<FolderType, string> = {
	input: 'ComfyUI/input',
	output: 'ComfyUI/output',
	temp: 'ComfyUI/temp'
};

/**
 * Normalises `relative` inside a folder; returns null when it escapes the folder (`..` past the root or an
 * absolute path), like `os.path.commonpath((root, abspath(join(root, relative)))) != root`.
 */
export function resolveInside(relative: string): string | null {
	if (relative.startsWith('/')) return null;
	const normal = posix.normalize(`./${relative}`);
	if (normal === '..' || normal.startsWith('../')) return null;
	return normal === '.' ? '' : normal.replace(/\/$/, '');
}

/** The in-memory folders. */
export class FileStore {
	private readonly folders = new Map<FolderType, Map<string, StoredFile>>(
		FOLDER_TYPES.map((type) => [type, new Map<string, StoredFile>()])
	);

	private folder(type: FolderType): Map<string, StoredFile> {
		const folder = this.folders.get(type);
		if (!folder) throw new Error(`unknown folder type ${type}`);
		return folder;
	}

	get(type: FolderType, path: string): StoredFile | undefined {
		return this.folder(type).get(path);
	}

	has(type: FolderType, path: string): boolean {
		return this.folder(type).has(path);
	}

	put(type: FolderType, path: string, data: Buffer): void {
		this.folder(type).set(path, { data, mtimeMs: Date.now() });
	}

	delete(type: FolderType, path: string): void {
		this.folder(type).delete(path);
	}

	/** Names of the files directly inside `dir` ("" = the folder root), like `os.listdir` minus folders. */
	list(type: FolderType, dir: string): string[] {
		const prefix = dir ? `${dir}/` : '';
		const names: string[] = [];
		for (const path of this.folder(type).keys()) {
			if (!path.startsWith(prefix)) continue;
			const rest = path.slice(prefix.length);
			if (!rest.includes('/')) names.push(rest);
		}
		return names;
	}

	/** True when `dir` exists as a folder (some file lives below it), or is the root. */
	isDir(type: FolderType, dir: string): boolean {
		if (!dir) return true;
		for (const path of this.folder(type).keys()) if (path.startsWith(`${dir}/`)) return true;
		return false;
	}

	clear(type: FolderType): void {
		this.folder(type).clear();
	}
}

/** `folder_paths.annotated_filepath`: "name [output]" → name in output/. */
export function annotatedFilepath(name: string): { name: string; type: FolderType | null } {
	for (const type of FOLDER_TYPES) {
		const suffix = `[${type}]`;
		if (name.endsWith(suffix)) return { name: name.slice(0, -(suffix.length + 1)), type };
	}
	return { name, type: null };
}
