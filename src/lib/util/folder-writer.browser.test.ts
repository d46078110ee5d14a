import { afterEach, describe, expect, it } from 'vitest';
import { writeNewFile } from './folder-writer';

// The browser's origin-private file system gives a real FileSystemDirectoryHandle: the same object
// showDirectoryPicker returns, minus the native picker, so the writer is tested against Chromium's own code.
async function freshFolder(): Promise<FileSystemDirectoryHandle> {
	const root = await navigator.storage.getDirectory();
	return root.getDirectoryHandle(`results-${crypto.randomUUID()}`, { create: true });
}

const made: FileSystemDirectoryHandle[] = [];
afterEach(async () => {
	const root = await navigator.storage.getDirectory();
	for (const folder of made.splice(0)) await root.removeEntry(folder.name, { recursive: true });
});

async function names(folder: FileSystemDirectoryHandle): Promise<string[]> {
	const out: string[] = [];
	for await (const name of folder.keys()) out.push(name);
	return out.sort();
}

describe('writeNewFile in a real folder (OPFS)', () => {
	it('writes the bytes, and a second file of the same name beside it instead of over it', async () => {
		const folder = await freshFolder();
		made.push(folder);
		const first = await writeNewFile({ folder, name: 'run_01.png', blob: new Blob(['first']) });
		const second = await writeNewFile({ folder, name: 'run_01.png', blob: new Blob(['second']) });
		expect([first, second]).toEqual(['run_01.png', 'run_01 (2).png']);
		expect(await names(folder)).toEqual(['run_01 (2).png', 'run_01.png']);
		expect(await (await (await folder.getFileHandle('run_01.png')).getFile()).text()).toBe('first');
		expect(await (await (await folder.getFileHandle('run_01 (2).png')).getFile()).text()).toBe('second');
	});

	it('says the folder is gone when it was deleted after it was chosen', async () => {
		const folder = await freshFolder();
		const root = await navigator.storage.getDirectory();
		await root.removeEntry(folder.name, { recursive: true });
		await expect(writeNewFile({ folder, name: 'a.png', blob: new Blob(['x']) })).rejects.toMatchObject({
			name: 'NotFoundError'
		});
	});
});
