import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { listServers, saveServer } from '$lib/storage/servers';
import { BackupState } from './backup.svelte';

const open = () => openDeckDb({ name: `backup-state-${Math.random()}` });
const SERVER = {
	id: 's1',
	name: 'Studio box',
	baseUrl: 'http://studio:8188/',
	token: 'secret',
	order: 0,
	createdAt: 1
};

/** Exports a database holding one server and returns the file the browser would have saved. */
async function exported(options: { includeTokens: boolean }): Promise<{ file: File; state: BackupState }> {
	const db = open();
	await saveServer(await db, SERVER);
	let file: File | undefined;
	const state = new BackupState({ db, download: (blob, name) => (file = new File([blob], name)) });
	state.includeTokens = options.includeTokens;
	await state.exportAll();
	if (!file) throw new Error(`nothing was downloaded: ${state.error}`);
	return { file, state };
}

describe('BackupState', () => {
	it('exports everything to one file and says what it holds', async () => {
		const { file, state } = await exported({ includeTokens: false });
		expect(file.name).toMatch(/^comfy-deck-backup-.*\.zip$/);
		expect(state.exportMessage).toMatch(
			/^Saved comfy-deck-backup-.*: 0 generations, 0 images, .*1 server\.$/
		);
		expect(state.exporting).toBe(false);
		expect(state.progress).toBeNull();
		expect(state.error).toBeNull();
	});

	it('reviews a backup before importing it, writes nothing until the yes, then reloads the views', async () => {
		const { file } = await exported({ includeTokens: true });
		const target = open();
		const onImported = vi.fn();
		const state = new BackupState({ db: target, onImported });

		await state.readFile(file);
		expect(state.review?.fileName).toBe(file.name);
		expect(state.review?.plan.servers.added).toBe(1);
		expect(await listServers(await target)).toEqual([]);

		await state.confirmImport();
		expect(state.review).toBeNull();
		expect(state.result?.report.servers.added).toBe(1);
		expect(onImported).toHaveBeenCalledTimes(1);
		expect(await listServers(await target)).toEqual([SERVER]);
	});

	it('leaves the tokens out unless asked for them', async () => {
		const { file } = await exported({ includeTokens: false });
		const target = open();
		const state = new BackupState({ db: target });
		await state.readFile(file);
		await state.confirmImport();
		const [server] = await listServers(await target);
		expect(server?.name).toBe('Studio box');
		expect(server?.token).toBeUndefined();
	});

	it('cancelling the review imports nothing', async () => {
		const { file } = await exported({ includeTokens: false });
		const target = open();
		const state = new BackupState({ db: target });
		await state.readFile(file);
		state.cancelImport();
		await state.confirmImport();
		expect(state.review).toBeNull();
		expect(state.result).toBeNull();
		expect(await listServers(await target)).toEqual([]);
	});

	it('says what is wrong with a file that is not a backup, and imports nothing', async () => {
		const target = open();
		const state = new BackupState({ db: target });
		await state.readFile(new File(['just some notes'], 'notes.txt', { type: 'text/plain' }));
		expect(state.review).toBeNull();
		expect(state.error).toMatch(/notes\.txt|backup|zip/i);
		expect(state.reading).toBe(false);
		expect(await listServers(await target)).toEqual([]);
	});
});
