// ComfyUI's input/, output/ and temp/ folders, kept in memory so the simulator never writes into the repo.
// Paths are POSIX relative paths ("harness/success_00001_.png"); the escape checks mirror ComfyUI's
// `os.path.commonpath` tests. With `outputDir` the output folder is also written to disk and read back on start,
// so a simulator process killed and started again still serves what it saved, as ComfyUI's output/ does.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';

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
	private readonly outputDir: string | undefined;

	/** `outputDir`: a real folder the output folder is kept in as well (what an earlier process saved is read back). */
	constructor(options: { outputDir?: string } = {}) {
		this.outputDir = options.outputDir;
		if (this.outputDir) this.load(this.outputDir);
	}

	private load(root: string): void {
		mkdirSync(root, { recursive: true });
		const folder = this.folder('output');
		const walk = (dir: string) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				const path = join(dir, entry.name);
				if (entry.isDirectory()) walk(path);
				else if (entry.isFile()) {
					const name = relative(root, path).split(sep).join('/');
					folder.set(name, { data: readFileSync(path), mtimeMs: statSync(path).mtimeMs });
				}
			}
		};
		walk(root);
	}

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
		if (type === 'output' && this.outputDir) {
			// Written before the node reports it (synchronously), like SaveImage: a kill right after `executed` keeps it.
			const file = join(this.outputDir, ...path.split('/'));
			mkdirSync(dirname(file), { recursive: true });
			writeFileSync(file, data);
		}
		this.folder(type).set(path, { data, mtimeMs: Date.now() });
	}

	delete(type: FolderType, path: string): void {
		if (type === 'output' && this.outputDir)
			rmSync(join(this.outputDir, ...path.split('/')), { force: true });
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
