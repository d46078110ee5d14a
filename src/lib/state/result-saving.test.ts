import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { getJob } from '$lib/storage/jobs';
import { putKeptRun } from '$lib/storage/testing/records';
import type { FolderWritable } from '$lib/util/folder-writer';
import { ResultSavingState } from './result-saving.svelte';

/** A folder in memory with Chromium's permission methods; a class, so IndexedDB can store (a method-less copy of) it. */
class FakeFolder {
	files = new Map<string, string>();
	permission: PermissionState = 'granted';
	failWith: string | undefined;
	constructor(public name: string) {}
	async getFileHandle(name: string, options: { create?: boolean } = {}) {
		if (this.failWith === 'NotFoundError') throw new DOMException('gone', 'NotFoundError');
		if (!this.files.has(name) && !options.create) throw new DOMException('no file', 'NotFoundError');
		if (!this.files.has(name)) this.files.set(name, '');
		return {
			createWritable: async (): Promise<FolderWritable> => ({
				write: async (data: Blob) => {
					if (this.failWith) throw new DOMException('no', this.failWith);
					this.files.set(name, await data.text());
				},
				close: async () => {}
			})
		};
	}
	async removeEntry(name: string) {
		this.files.delete(name);
	}
	async queryPermission() {
		return this.permission;
	}
	async requestPermission() {
		this.permission = 'granted';
		return this.permission;
	}
}

/** A run of 'SD 1.5 txt2img' with a PNG and an MP4 kept (and a caption, with `texts`), in `batch` if given. */
const storedRun = (db: DeckDb, id: string, options: { texts?: boolean; batch?: string } = {}) =>
	putKeptRun(db, {
		id,
		templateName: 'SD 1.5 txt2img',
		files: [
			{ filename: 'ComfyUI_00001_.png', text: `png of ${id}`, mime: 'image/png' },
			{ filename: 'clip_00001.mp4', subfolder: 'video', text: `mp4 of ${id}`, mime: 'video/mp4' }
		],
		over: {
			...(options.texts ? { texts: { '9': ['a caption'] } } : {}),
			...(options.batch ? { metadata: { batch: options.batch } } : {})
		}
	});

type Downloads = { name: string; blob: Blob }[];

/** The saving state of a page on `db` (a reload is another one), its downloads kept in `downloads`. */
async function pageOn(db: DeckDb, downloads: Downloads, folder?: FakeFolder) {
	const saving = new ResultSavingState({
		db: Promise.resolve(db),
		...(folder ? { pickFolder: async () => folder } : {}),
		download: (blob, name) => void downloads.push({ name, blob }),
		exclusive: (work) => work()
	});
	await saving.load();
	return saving;
}

async function setUp(folder?: FakeFolder) {
	const db = await openDeckDb({ name: `saving-${Math.random()}` });
	const downloads: Downloads = [];
	return { db, saving: await pageOn(db, downloads, folder), downloads };
}

const RUN_A = 'aaaaaaaa-1111-4111-8111-111111111111';
const RUN_B = 'bbbbbbbb-2222-4222-8222-222222222222';

describe('ResultSavingState', () => {
	it('saves nothing while off', async () => {
		const { db, saving, downloads } = await setUp();
		await storedRun(db, RUN_A);
		await saving.saveRun(RUN_A);
		expect(downloads).toEqual([]);
		expect((await getJob(db, RUN_A))?.app.saved).toBeUndefined();
	});

	it('downloads every file of a run once, texts included, under clear names', async () => {
		const { db, saving, downloads } = await setUp();
		await saving.setMode('download');
		await storedRun(db, RUN_A, { texts: true });
		await saving.saveRun(RUN_A);
		await saving.saveRun(RUN_A);
		const texts = await Promise.all(
			downloads.map(async ({ name, blob }) => ({ name, text: await blob.text() }))
		);
		expect(texts).toEqual([
			{ name: 'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png', text: `png of ${RUN_A}` },
			{ name: 'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_02.mp4', text: `mp4 of ${RUN_A}` },
			{ name: 'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_03.txt', text: 'a caption' }
		]);
		expect(saving.savedCount).toBe(3);
	});

	it('downloads a batch as one zip when its last run is in, not a file each', async () => {
		const { db, saving, downloads } = await setUp();
		let open = true;
		saving.watchBatches((id) => id === 'grid-1' && open);
		await saving.setMode('download');
		await storedRun(db, RUN_A, { batch: 'grid-1' });
		await saving.saveRun(RUN_A);
		await storedRun(db, RUN_B, { batch: 'grid-1' });
		await saving.saveRun(RUN_B);
		await saving.flushBatches();
		expect(downloads).toEqual([]);

		open = false;
		await saving.flushBatches();
		expect(downloads.map((d) => d.name)).toEqual(['sd-1.5-txt2img_2026-12-07_09-30-00_batch-grid1.zip']);
		const zip = unzipSync(new Uint8Array(await downloads[0]!.blob.arrayBuffer()));
		expect(Object.keys(zip).sort()).toEqual([
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png',
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_02.mp4',
			'sd-1.5-txt2img_2026-12-07_09-30-00_bbbbbbbb_01.png',
			'sd-1.5-txt2img_2026-12-07_09-30-00_bbbbbbbb_02.mp4'
		]);
		expect(new TextDecoder().decode(zip['sd-1.5-txt2img_2026-12-07_09-30-00_bbbbbbbb_01.png'])).toBe(
			`png of ${RUN_B}`
		);
		// Once zipped, the runs count as saved: nothing comes twice.
		await saving.saveRun(RUN_A);
		await saving.flushBatches();
		expect(downloads).toHaveLength(1);
	});

	it('still offers the zip of a batch after a reload mid-batch, with the runs from before the reload', async () => {
		const { db, saving, downloads } = await setUp();
		saving.watchBatches(() => true);
		await saving.setMode('download');
		await storedRun(db, RUN_A, { batch: 'grid-1' });
		await saving.saveRun(RUN_A);
		expect(downloads).toEqual([]);

		// The page reloads: its queue still has runs of the batch, then none.
		const reloaded = await pageOn(db, downloads);
		let open = true;
		reloaded.watchBatches(() => open);
		await reloaded.flushBatches();
		expect(downloads).toEqual([]);
		open = false;
		await reloaded.flushBatches();
		expect(downloads.map((d) => d.name)).toEqual(['sd-1.5-txt2img_2026-12-07_09-30-00_batch-grid1.zip']);
		const zip = unzipSync(new Uint8Array(await downloads[0]!.blob.arrayBuffer()));
		expect(Object.keys(zip).sort()).toEqual([
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png',
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_02.mp4'
		]);

		// Offered once: a later reload has nothing left to wait for.
		const again = await pageOn(db, downloads);
		again.watchBatches(() => false);
		await again.flushBatches();
		expect(downloads).toHaveLength(1);
	});

	it('writes each run into the chosen folder, and the choice outlives a reload', async () => {
		const folder = new FakeFolder('Renders');
		const { db, saving } = await setUp(folder);
		await saving.chooseFolder();
		expect(saving.mode).toBe('folder');
		expect(saving.folderName).toBe('Renders');
		await storedRun(db, RUN_A);
		await saving.saveRun(RUN_A);
		expect([...folder.files.keys()]).toEqual([
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png',
			'sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_02.mp4'
		]);
		expect(saving.lastSaved).toBe('sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_02.mp4');

		const again = new ResultSavingState({ db: Promise.resolve(db), pickFolder: async () => folder });
		await again.load();
		// Node's IndexedDB keeps a method-less copy of the fake, which is no folder: the mode falls back to off.
		// (The browser project checks a real handle survives: result-saving.browser.test.ts.)
		expect(again.mode).toBe('off');
	});

	it('after a reload asks for leave again instead of failing silently, then saves what waited', async () => {
		const folder = new FakeFolder('Renders');
		const { db, saving } = await setUp(folder);
		await saving.chooseFolder();
		folder.permission = 'prompt';
		await storedRun(db, RUN_A);
		await saving.saveRun(RUN_A);
		expect(folder.files.size).toBe(0);
		expect(saving.permission).toBe('prompt');
		expect(saving.problem).toContain('Allow saving');
		expect((await getJob(db, RUN_A))?.app.saveProblem).toContain('needs your OK again');

		await saving.allowAgain();
		expect(folder.files.size).toBe(2);
		expect(saving.problem).toBeNull();
		expect((await getJob(db, RUN_A))?.app.saveProblem).toBeUndefined();
	});

	it('a full disk loses nothing: the run stays in the browser, and another folder gets it', async () => {
		const full = new FakeFolder('Full disk');
		const { db, saving } = await setUp(full);
		await saving.chooseFolder();
		full.failWith = 'QuotaExceededError';
		const job = await storedRun(db, RUN_A);
		await saving.saveRun(RUN_A);
		expect(saving.problem).toContain('is full');
		expect(full.files.size).toBe(0);
		expect(await getImage(db, job.app.images![0]!.hash!)).toBeDefined();

		const roomy = new FakeFolder('Roomy');
		const other = new ResultSavingState({
			db: Promise.resolve(db),
			pickFolder: async () => roomy,
			exclusive: (work) => work()
		});
		await other.chooseFolder();
		expect(roomy.files.size).toBe(2);
		expect((await getJob(db, RUN_A))?.app.saved).toHaveLength(2);
	});

	it('says the folder is gone when it was moved or deleted', async () => {
		const folder = new FakeFolder('Renders');
		const { db, saving } = await setUp(folder);
		await saving.chooseFolder();
		folder.failWith = 'NotFoundError';
		await storedRun(db, RUN_B);
		await saving.saveRun(RUN_B);
		expect(saving.problem).toContain('“Renders” is gone');
	});

	it('a choice made while the stored one is still being read wins over it', async () => {
		const db = await openDeckDb({ name: `saving-${Math.random()}` });
		const first = new ResultSavingState({ db: Promise.resolve(db) });
		await first.setMode('download');
		let open: (db: DeckDb) => void = () => {};
		const saving = new ResultSavingState({ db: new Promise((resolve) => (open = resolve)) });
		const loading = saving.load();
		const choosing = saving.setMode('off');
		open(db);
		await Promise.all([loading, choosing]);
		expect(saving.mode).toBe('off');
	});

	it('keeps the old choice when the picker is cancelled', async () => {
		const db = await openDeckDb({ name: `saving-${Math.random()}` });
		const saving = new ResultSavingState({
			db: Promise.resolve(db),
			pickFolder: () => Promise.reject(new DOMException('cancelled', 'AbortError'))
		});
		await saving.setMode('download');
		await saving.chooseFolder();
		expect(saving.mode).toBe('download');
		expect(saving.problem).toBeNull();
	});
});
