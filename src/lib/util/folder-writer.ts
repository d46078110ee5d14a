/**
 * Writing results into a folder the user picked (the File System Access API). Framework-free, and written against
 * the few methods it calls, so the tests drive it with a fake folder and with the browser's own (OPFS) one.
 */
import { withSuffix } from './result-file-name';

/** An open file being written. */
export interface FolderWritable {
	write(data: Blob): Promise<void>;
	close(): Promise<void>;
	abort?(reason?: unknown): Promise<void>;
}

/** The parts of a `FileSystemDirectoryHandle` the writer uses. */
export interface WritableFolder {
	readonly name: string;
	getFileHandle(
		name: string,
		options?: { create?: boolean }
	): Promise<{ createWritable(): Promise<FolderWritable> }>;
	removeEntry?(name: string): Promise<void>;
}

/** A folder handle with Chromium's permission methods (not in TypeScript's DOM types yet). */
export interface PermissionedFolder extends WritableFolder {
	queryPermission?(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
	requestPermission?(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
}

const MAX_SUFFIX = 9999;

async function taken(folder: WritableFolder, name: string): Promise<boolean> {
	try {
		await folder.getFileHandle(name);
		return true;
	} catch (error) {
		// NotFoundError: free. TypeMismatchError: a folder of that name, so the name is taken too.
		if (error instanceof DOMException && error.name === 'NotFoundError') return false;
		if (error instanceof DOMException && error.name === 'TypeMismatchError') return true;
		throw error;
	}
}

/**
 * Writes `blob` as a new file named `name` in `folder`, never over an existing file: `name (2).png`,
 * `name (3).png`… when the name is taken. Returns the name written. Calls for one folder must not overlap (the
 * caller queues them), since two writers could both find a name free.
 * A failed write removes the file it had created, so a full disk leaves no empty file behind.
 * @param options.folder where to write.
 * @param options.name the wanted file name (already safe: see resultFileName).
 * @param options.blob the bytes.
 */
export async function writeNewFile(options: {
	folder: WritableFolder;
	name: string;
	blob: Blob;
}): Promise<string> {
	const { folder, blob } = options;
	let name = options.name;
	for (let n = 2; await taken(folder, name); n++) {
		if (n > MAX_SUFFIX)
			throw new DOMException(`Too many files named ${options.name}.`, 'InvalidModificationError');
		name = withSuffix(options.name, n);
	}
	const file = await folder.getFileHandle(name, { create: true });
	let writable: FolderWritable | undefined;
	try {
		writable = await file.createWritable();
		await writable.write(blob);
		await writable.close();
		return name;
	} catch (error) {
		await writable?.abort?.(error).catch(() => undefined);
		await folder.removeEntry?.(name).catch(() => undefined);
		throw error;
	}
}

/** Why a folder write failed, in the user's words. */
export type FolderProblem = 'permission' | 'gone' | 'full' | 'failed';

/**
 * What went wrong writing into `folderName`, and what to do; the result itself is always still in the browser.
 * @param options.error what the write threw.
 * @param options.folderName the folder's name as the user knows it.
 */
export function describeFolderError(options: { error: unknown; folderName: string }): {
	problem: FolderProblem;
	message: string;
} {
	const { error } = options;
	const folder = `“${options.folderName}”`;
	const kept = 'The result is kept in this browser.';
	const name = error instanceof DOMException || error instanceof Error ? error.name : '';
	switch (name) {
		case 'NotAllowedError':
		case 'SecurityError':
			return {
				problem: 'permission',
				message: `Comfy Deck may not write to the folder ${folder} any more. Allow it again in Settings, or choose another folder. ${kept}`
			};
		case 'NotFoundError':
			return {
				problem: 'gone',
				message: `The folder ${folder} is gone (moved, renamed or deleted). Choose a folder again in Settings. ${kept}`
			};
		case 'QuotaExceededError':
			return {
				problem: 'full',
				message: `The disk of the folder ${folder} is full. Free some space or choose another folder in Settings. ${kept}`
			};
		default: {
			const detail = error instanceof Error && error.message ? error.message : String(error);
			return {
				problem: 'failed',
				message: `Could not save into the folder ${folder}: ${detail}. ${kept}`
			};
		}
	}
}
