import { afterEach, describe, expect, it } from 'vitest';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { getJob } from '$lib/storage/jobs';
import { putKeptRun } from '$lib/storage/testing/records';
import { ResultSavingState } from './result-saving.svelte';

// A real FileSystemDirectoryHandle from the origin-private file system stands in for the folder the native picker
// would give: IndexedDB must keep it across a "reload" (a new state on the same database), and writes go through
// Chromium's own file system code.
const folders: string[] = [];
afterEach(async () => {
	const root = await navigator.storage.getDirectory();
	for (const name of folders.splice(0))
		await root.removeEntry(name, { recursive: true }).catch(() => undefined);
});

async function opfsFolder(): Promise<FileSystemDirectoryHandle> {
	const root = await navigator.storage.getDirectory();
	const name = `renders-${crypto.randomUUID()}`;
	folders.push(name);
	return root.getDirectoryHandle(name, { create: true });
}

async function run(db: DeckDb, id: string): Promise<void> {
	await putKeptRun(db, {
		id,
		templateName: 'Portrait',
		files: [{ filename: 'ComfyUI_00001_.png', text: `bytes of ${id}`, mime: 'image/png' }]
	});
}

async function listing(folder: FileSystemDirectoryHandle): Promise<string[]> {
	const names: string[] = [];
	for await (const name of folder.keys()) names.push(name);
	return names.sort();
}

describe('ResultSavingState with a real folder handle', () => {
	it('remembers the folder across a reload and keeps saving into it, never over a file', async () => {
		const db = await openDeckDb({ name: `saving-${crypto.randomUUID()}` });
		const folder = await opfsFolder();
		const first = new ResultSavingState({ db: Promise.resolve(db), pickFolder: async () => folder });
		await first.load();
		await first.chooseFolder();
		await run(db, 'aaaaaaaa-0000-4000-8000-000000000000');
		await first.saveRun('aaaaaaaa-0000-4000-8000-000000000000');

		const reloaded = new ResultSavingState({ db: Promise.resolve(db) });
		await reloaded.load();
		expect(reloaded.mode).toBe('folder');
		expect(reloaded.folderName).toBe(folder.name);
		expect(reloaded.permission).toBe('granted');
		// The same run saved again from another tab's state: it is marked saved, so no second copy.
		await reloaded.saveRun('aaaaaaaa-0000-4000-8000-000000000000');
		await run(db, 'bbbbbbbb-0000-4000-8000-000000000000');
		await reloaded.saveRun('bbbbbbbb-0000-4000-8000-000000000000');
		expect(await listing(folder)).toEqual([
			'portrait_2026-12-07_09-30-00_aaaaaaaa_01.png',
			'portrait_2026-12-07_09-30-00_bbbbbbbb_01.png'
		]);
		const file = await (await folder.getFileHandle('portrait_2026-12-07_09-30-00_bbbbbbbb_01.png')).getFile();
		expect(await file.text()).toBe('bytes of bbbbbbbb-0000-4000-8000-000000000000');
		db.close();
	});

	it('says the folder is gone, keeps the run marked unsaved, and saves it once another folder is chosen', async () => {
		const db = await openDeckDb({ name: `saving-${crypto.randomUUID()}` });
		const gone = await opfsFolder();
		const next = await opfsFolder();
		let pick = gone;
		const saving = new ResultSavingState({ db: Promise.resolve(db), pickFolder: async () => pick });
		await saving.load();
		await saving.chooseFolder();
		await (await navigator.storage.getDirectory()).removeEntry(gone.name, { recursive: true });

		await run(db, 'cccccccc-0000-4000-8000-000000000000');
		await saving.saveRun('cccccccc-0000-4000-8000-000000000000');
		expect(saving.problem).toContain('is gone');
		expect((await getJob(db, 'cccccccc-0000-4000-8000-000000000000'))?.app.saveProblem).toContain('is gone');

		pick = next;
		await saving.chooseFolder();
		expect(saving.problem).toBeNull();
		expect(await listing(next)).toEqual(['portrait_2026-12-07_09-30-00_cccccccc_01.png']);
		expect((await getJob(db, 'cccccccc-0000-4000-8000-000000000000'))?.app.saveProblem).toBeUndefined();
		db.close();
	});
});
