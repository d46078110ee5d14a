import { describe, expect, it } from 'vitest';
import { describeFolderError, writeNewFile, type FolderWritable, type WritableFolder } from './folder-writer';

/** A folder in memory: files by name, and a way to make the next write fail as a real disk would. */
function fakeFolder(options: { files?: string[]; subfolders?: string[]; failWrite?: DOMException } = {}) {
	const files = new Map<string, Blob>((options.files ?? []).map((name) => [name, new Blob(['old'])]));
	const subfolders = new Set(options.subfolders);
	const folder: WritableFolder = {
		name: 'Renders',
		async getFileHandle(name, { create = false } = {}) {
			if (subfolders.has(name)) throw new DOMException('a folder', 'TypeMismatchError');
			if (!files.has(name)) {
				if (!create) throw new DOMException('no such file', 'NotFoundError');
				files.set(name, new Blob([]));
			}
			return {
				async createWritable(): Promise<FolderWritable> {
					let written: Blob | undefined;
					return {
						async write(data) {
							if (options.failWrite) throw options.failWrite;
							written = data;
						},
						async close() {
							if (written) files.set(name, written);
						},
						async abort() {}
					};
				}
			};
		},
		async removeEntry(name) {
			files.delete(name);
		}
	};
	return { folder, files };
}

describe('writeNewFile', () => {
	it('writes the bytes under the wanted name in an empty folder', async () => {
		const { folder, files } = fakeFolder();
		const name = await writeNewFile({ folder, name: 'run_01.png', blob: new Blob(['png bytes']) });
		expect(name).toBe('run_01.png');
		expect(await files.get('run_01.png')?.text()).toBe('png bytes');
	});

	it('never overwrites: a taken name gets the next free suffix, and the old file is untouched', async () => {
		const { folder, files } = fakeFolder({
			files: ['run_01.png', 'run_01 (2).png'],
			subfolders: ['run_01 (3).png']
		});
		const name = await writeNewFile({ folder, name: 'run_01.png', blob: new Blob(['new']) });
		expect(name).toBe('run_01 (4).png');
		expect(await files.get('run_01.png')?.text()).toBe('old');
		expect(await files.get('run_01 (4).png')?.text()).toBe('new');
	});

	it('leaves no empty file behind when the disk is full, and says why', async () => {
		const full = new DOMException('quota', 'QuotaExceededError');
		const { folder, files } = fakeFolder({ failWrite: full });
		await expect(writeNewFile({ folder, name: 'run_01.png', blob: new Blob(['x']) })).rejects.toBe(full);
		expect(files.size).toBe(0);
	});

	it('passes on a permission refusal from the folder itself', async () => {
		const folder: WritableFolder = {
			name: 'Renders',
			getFileHandle: () => Promise.reject(new DOMException('denied', 'NotAllowedError'))
		};
		await expect(writeNewFile({ folder, name: 'a.png', blob: new Blob(['x']) })).rejects.toMatchObject({
			name: 'NotAllowedError'
		});
	});
});

describe('describeFolderError', () => {
	const describe_ = (name: string) =>
		describeFolderError({ error: new DOMException('x', name), folderName: 'Renders' });

	it('tells a withdrawn permission, a missing folder and a full disk apart, each with what to do', () => {
		expect(describe_('NotAllowedError')).toMatchObject({ problem: 'permission' });
		expect(describe_('NotAllowedError').message).toContain('Allow it again in Settings');
		expect(describe_('NotFoundError')).toMatchObject({ problem: 'gone' });
		expect(describe_('NotFoundError').message).toContain('Choose a folder again');
		expect(describe_('QuotaExceededError')).toMatchObject({ problem: 'full' });
		expect(describe_('QuotaExceededError').message).toContain('is full');
	});

	it('says the result is kept, and names the folder, whatever went wrong', () => {
		const other = describeFolderError({ error: new Error('the cable'), folderName: 'Renders' });
		expect(other.problem).toBe('failed');
		for (const { message } of [other, describe_('NotFoundError')]) {
			expect(message).toContain('“Renders”');
			expect(message).toContain('kept in this browser');
		}
		expect(other.message).toContain('the cable');
	});
});
