import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { putImage } from '$lib/storage/images';
import { putJob } from '$lib/storage/jobs';
import { storeResultSaving } from '$lib/storage/result-saving';
import { ResultSavingLoader } from './result-saving-loader.svelte';

const ID = 'aaaaaaaa-0000-4000-8000-000000000000';
const BATCH_RUN = 'bbbbbbbb-0000-4000-8000-000000000000';

async function keptRun(db: DeckDb, id: string, batch?: string): Promise<void> {
	const hash = await putImage(db, { blob: new Blob([`png of ${id}`], { type: 'image/png' }) });
	await putJob(db, {
		id,
		serverUrl: 'http://box:8188/',
		serverId: 's1',
		workflow: {},
		status: 'succeeded',
		outputs: [],
		timings: { created: 1 },
		attempts: 1,
		createdAt: new Date(2026, 11, 7, 9, 30, 0).getTime(),
		...(batch ? { metadata: { batch } } : {}),
		app: {
			templateName: 'SD 1.5 txt2img',
			images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', hash, mime: 'image/png' }]
		}
	});
}

/** A database whose stored choice is "a download per file", with one kept run, and a loader whose import waits. */
async function setUp(options: { failFirst?: boolean } = {}) {
	const db = await openDeckDb({ name: `saving-loader-${Math.random()}` });
	await storeResultSaving(db, { mode: 'download' });
	await keptRun(db, ID);
	const downloads: string[] = [];
	let imports = 0;
	let release: () => void = () => {};
	const gate = new Promise<void>((resolve) => (release = resolve));
	const errors: string[] = [];
	const loader = new ResultSavingLoader({
		db: Promise.resolve(db),
		download: (_blob, name) => void downloads.push(name),
		exclusive: (work) => work(),
		onError: (message) => void errors.push(message),
		load: async () => {
			imports += 1;
			await gate;
			if (options.failFirst && imports === 1) throw new Error('Failed to fetch dynamically imported module');
			return import('./result-saving.svelte');
		}
	});
	return { db, loader, downloads, errors, release, imports: () => imports };
}

describe('ResultSavingLoader', () => {
	it('saves a run kept before its code loaded, once the stored choice is read', async () => {
		const { loader, downloads, release, imports } = await setUp();
		const saved = loader.saveRun(ID);
		await Promise.resolve();
		expect(loader.current).toBeUndefined();
		expect(downloads).toEqual([]);
		release();
		await saved;
		expect(loader.current?.mode).toBe('download');
		expect(downloads).toEqual(['sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png']);
		// Loaded once: later saves go straight to the state.
		await loader.load();
		expect(imports()).toBe(1);
	});

	it('says why when its code cannot load, and keeps the waiting run for the next try', async () => {
		const { loader, downloads, errors, release } = await setUp({ failFirst: true });
		release();
		await loader.saveRun(ID);
		expect(loader.current).toBeUndefined();
		expect(loader.error).toContain('Result saving could not be loaded');
		expect(errors).toHaveLength(1);
		expect(downloads).toEqual([]);
		await loader.load();
		expect(loader.error).toBeNull();
		expect(downloads).toEqual(['sd-1.5-txt2img_2026-12-07_09-30-00_aaaaaaaa_01.png']);
	});

	it('hands the batch watcher set before loading to the state: a batch comes as one zip', async () => {
		const { db, loader, downloads, release } = await setUp();
		await keptRun(db, BATCH_RUN, 'b1');
		let open = true;
		loader.watchBatches((batchId) => batchId === 'b1' && open);
		release();
		await loader.saveRun(BATCH_RUN);
		expect(downloads).toEqual([]);
		open = false;
		await loader.flushBatches();
		expect(downloads).toHaveLength(1);
		expect(downloads[0]).toMatch(/\.zip$/);
	});
});
