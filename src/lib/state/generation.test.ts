import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger } from '$lib/comfy';
import { useCacheEntry } from '$lib/storage/cache';
import { openDeckDb } from '$lib/storage/db';
import { getJob, listJobsOfTemplate } from '$lib/storage/jobs';
import { template } from '$lib/storage/testing/backup-fixtures';
import { useSimulator } from '../../../tests/simulator/test-helpers';
import type { AppState, ServerView } from './app.svelte';
import type { ServerConnection } from './connections.svelte';
import { GenerationState } from './generation.svelte';
import { JobsState } from './jobs.svelte';
import { CLIP } from './testing/clip-template';

// A one-field template (Width) over EmptyImage → SaveImage: no random seed, so identical runs hit the cache.
const TEMPLATE = template('Solid color', 16);

const MP4 = readFileSync(
	new URL('../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4', import.meta.url)
);

/** The parts of the app a generation panel uses, with the simulator as its one server. */
function setup(o: { server: ServerView; connection?: ServerConnection; dbName?: string }) {
	const db = openDeckDb({ name: o.dbName ?? `generation-${Math.random()}` });
	const jobs = new JobsState({ db, logger: createLogger(), cacheBytes: () => 10_000_000 });
	const check = vi.fn(async () => o.connection ?? { status: 'online' as const });
	const app = {
		db,
		jobs,
		servers: [o.server],
		settings: { values: { userInitials: 'AB' } },
		connections: { get: () => o.connection ?? { status: 'online' }, check }
	} as unknown as AppState;
	const run = new GenerationState({ app });
	closers.push(async () => {
		run.dispose();
		await jobs.close();
	});
	return { db, jobs, run, check };
}

const closers: (() => Promise<void>)[] = [];

describe('GenerationState against a simulated ComfyUI', () => {
	const sim = useSimulator();
	const server = (): ServerView => ({
		id: 's1',
		name: 'Simulator',
		baseUrl: sim.url,
		order: 0,
		createdAt: 1
	});

	// Node 20 has no WebSocket of its own; the app's clients use the global one.
	beforeAll(() => void vi.stubGlobal('WebSocket', WebSocket));
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});
	afterAll(() => void vi.unstubAllGlobals());

	it('runs a template, keeps the job with its labels before sending, and shows the kept image once it is done', async () => {
		const { db, jobs, run } = setup({ server: server() });

		expect(
			await run.generate({ template: TEMPLATE, values: { width: 24 }, server: server(), style: '  flat ' })
		).toBe(true);
		const id = run.jobId ?? '';
		expect(run.error).toBeNull();
		expect((await getJob(await db, id))?.app).toMatchObject({
			templateId: TEMPLATE.id,
			parameters: { width: 24 },
			userInitials: 'AB',
			style: 'flat'
		});
		expect(run.pastStyles).toEqual(['flat']);

		await vi.waitFor(() => expect(run.phase).toBe('succeeded'), { timeout: 10_000 });
		expect(run.fraction).toBe(1);
		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		await run.refreshResults();
		expect(run.images).toHaveLength(1);
		expect(run.images[0]).toMatchObject({ mime: 'image/png', saved: { serverId: 's1' } });
		expect(run.images[0]?.url).toMatch(/^blob:/);
		expect(jobs.list.map((j) => j.id)).toEqual([id]);
	});

	it('shows the fresh bytes before they are kept, and the kept copy takes the same URL with its hash', async () => {
		const { db, run } = setup({ server: server() });
		await run.generate({ template: TEMPLATE, values: { width: 20 }, server: server() });
		const id = run.jobId ?? '';
		await vi.waitFor(() => expect(run.job?.outputs).toHaveLength(1), { timeout: 10_000 });
		const output = run.job?.outputs[0];
		if (!output) throw new Error('no output named');
		const bytes = new Blob(['fresh'], { type: 'image/png' });

		run.showFresh([{ output, blob: bytes, kind: 'image', mime: 'image/png' }]);
		const [fresh] = run.images;
		expect(fresh).toMatchObject({ filename: output.filename, blob: bytes });
		expect(fresh?.hash).toBeUndefined();

		await vi.waitFor(() => expect(run.phase).toBe('succeeded'), { timeout: 10_000 });
		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		await run.refreshResults();
		const [kept] = run.images;
		// Not decoded twice: the element keeps the URL it shows (and its bytes); the kept record's hash comes with it.
		expect(kept?.url).toBe(fresh?.url);
		expect(kept?.blob).toBe(bytes);
		expect(kept?.hash).toBe((await getJob(await db, id))?.app.images?.[0]?.hash);
	});

	it('answers the same values from the result cache without sending, unless told to run anyway', async () => {
		const { db, run } = setup({ server: server() });
		await run.generate({ template: TEMPLATE, values: { width: 32 }, server: server() });
		const first = run.jobId;
		await vi.waitFor(
			async () => expect((await getJob(await db, first ?? ''))?.app.images?.[0]?.hash).toBeTruthy(),
			{ timeout: 10_000 }
		);

		expect(await run.generate({ template: TEMPLATE, values: { width: 32 }, server: server() })).toBe(false);
		expect(run.phase).toBe('cached');
		expect(run.jobId).toBe(first);
		expect(run.images).toHaveLength(1);
		expect(await listJobsOfTemplate(await db, TEMPLATE.id)).toHaveLength(1);

		expect(
			await run.generate({ template: TEMPLATE, values: { width: 32 }, server: server(), force: true })
		).toBe(true);
		expect(run.jobId).not.toBe(first);
		expect(run.fromCache).toBe(false);
		expect(await listJobsOfTemplate(await db, TEMPLATE.id)).toHaveLength(2);
	});

	it('answers a video run from the result cache with its kept video, asking the server for nothing', async () => {
		const { db, run } = setup({ server: server() });
		await run.generate({ template: CLIP, values: { fps: 6 }, server: server() });
		const first = run.jobId ?? '';
		await vi.waitFor(
			async () => expect((await getJob(await db, first))?.app.images?.[0]?.hash).toBeTruthy(),
			{ timeout: 10_000 }
		);
		const [kept] = (await getJob(await db, first))?.app.images ?? [];
		expect(kept).toMatchObject({ filename: 'ComfyDeck-clip_00001_.mp4', kind: 'video', mime: 'video/mp4' });
		// Cached once every file of the run is kept.
		await vi.waitFor(async () => expect(await (await db).count('cache')).toBe(1));

		// The same values again: no /view, no /prompt, nothing at all.
		const fetched = vi.spyOn(globalThis, 'fetch');
		try {
			expect(await run.generate({ template: CLIP, values: { fps: 6 }, server: server() })).toBe(false);
			expect(fetched).not.toHaveBeenCalled();
		} finally {
			fetched.mockRestore();
		}
		expect(run.phase).toBe('cached');
		expect(run.jobId).toBe(first);
		// Shown as the video it is (a <video>, named as the server named it), from the bytes kept the first time.
		expect(run.images).toEqual([
			expect.objectContaining({
				hash: kept?.hash,
				filename: 'ComfyDeck-clip_00001_.mp4',
				kind: 'video',
				mime: 'video/mp4',
				url: expect.stringMatching(/^blob:/)
			})
		]);
		expect(Buffer.from(await run.images[0]!.blob.arrayBuffer()).equals(MP4)).toBe(true);
		expect(await listJobsOfTemplate(await db, CLIP.id)).toHaveLength(1);

		// Its run deleted from history since, the cached video is still a video, named by its hash.
		await (await db).delete('jobs', first);
		expect(await run.generate({ template: CLIP, values: { fps: 6 }, server: server() })).toBe(false);
		expect(run.images.map((i) => [i.filename, i.kind])).toEqual([
			[`${kept?.hash?.slice(0, 12)}.mp4`, 'video']
		]);
	});

	it('answers from the cache a result another tab kept after this panel opened', async () => {
		const dbName = `generation-tabs-${Math.random()}`;
		const other = setup({ server: server(), dbName });
		const here = setup({ server: server(), dbName });
		// This tab knows what its cache held when it opened: nothing.
		expect(await useCacheEntry(await here.db, 'nothing')).toBeUndefined();

		await other.run.generate({ template: TEMPLATE, values: { width: 48 }, server: server() });
		const id = other.run.jobId ?? '';
		await vi.waitFor(
			async () => expect((await getJob(await other.db, id))?.app.images?.[0]?.hash).toBeTruthy(),
			{ timeout: 10_000 }
		);
		// Told by the other tab that history changed.
		await vi.waitFor(() => expect(here.jobs.changesSince(0)).toBeNull());

		expect(await here.run.generate({ template: TEMPLATE, values: { width: 48 }, server: server() })).toBe(
			false
		);
		expect(here.run.phase).toBe('cached');
		expect(here.run.jobId).toBe(id);
	});

	it('says why nothing was sent to a server that cannot be reached, and leaves no job behind', async () => {
		const { db, run, check } = setup({
			server: server(),
			connection: {
				status: 'offline',
				message: 'Cannot reach http://box:8188/.',
				hint: 'Start ComfyUI, or check the address in Settings.'
			}
		});

		expect(await run.generate({ template: TEMPLATE, values: { width: 16 }, server: server() })).toBe(false);
		expect(check).toHaveBeenCalledWith(expect.objectContaining({ timeoutMs: 2_000 }));
		expect(run.error).toBe(
			'Simulator cannot be reached, so nothing was sent. Cannot reach http://box:8188/. Start ComfyUI, or check the address in Settings.'
		);
		expect(run.phase).toBe('idle');
		expect(await listJobsOfTemplate(await db, TEMPLATE.id)).toEqual([]);
	});

	it("puts a refused prompt's node errors on the form and shows only a summary itself", async () => {
		const { run } = setup({ server: server() });
		const onnodeerrors = vi.fn();
		const sent = await run.generate({
			template: TEMPLATE,
			values: { width: 'wide' },
			server: server(),
			onnodeerrors
		});
		expect(sent).toBe(false);
		expect(onnodeerrors).toHaveBeenCalledWith({ '1': expect.objectContaining({ class_type: 'EmptyImage' }) });
		expect(run.error).toBe('ComfyUI refused the workflow: 1 problem, shown on the form.');
		expect(run.refused).toBe(true);
	});

	it('brings back the last finished run of a template when the panel opens idle', async () => {
		const first = setup({ server: server() });
		await first.run.generate({ template: TEMPLATE, values: { width: 40 }, server: server(), style: 'ink' });
		const id = first.run.jobId ?? '';
		await vi.waitFor(
			async () => expect((await getJob(await first.db, id))?.app.images?.[0]?.hash).toBeTruthy(),
			{ timeout: 10_000 }
		);

		// A second panel over the same database: the page was opened again.
		const again = new GenerationState({
			app: { db: first.db, jobs: first.jobs, servers: [server()] } as unknown as AppState
		});
		await again.showLatest(TEMPLATE.id);
		expect(again.fromHistory).toBe(true);
		expect(again.jobId).toBe(id);
		expect(again.images).toHaveLength(1);
		await again.loadStyles(TEMPLATE.id);
		expect(again.style).toBe('ink');
		again.dispose();
	});
});
