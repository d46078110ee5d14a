import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger, uuidv4, type ApiWorkflow } from '$lib/comfy';
import { useCacheEntry } from '$lib/storage/cache';
import { openDeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { getJob, putJob, type StoredJob } from '$lib/storage/jobs';
import { useSimulator } from '../../../tests/simulator/test-helpers';
import { JobsState } from './jobs.svelte';

const WORKFLOW: ApiWorkflow = {
	'1': { class_type: 'EmptyImage', inputs: { width: 16, height: 8, batch_size: 1, color: 255 } },
	'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'jobs-state' } }
};

function pendingJob(o: { id: string; serverId: string; promptHash?: string }): StoredJob {
	return {
		id: o.id,
		serverUrl: 'http://127.0.0.1:1',
		workflow: WORKFLOW,
		status: 'pending',
		outputs: [],
		timings: { created: 1 },
		attempts: 0,
		serverId: o.serverId,
		createdAt: 1,
		app: { templateId: 't1', ...(o.promptHash ? { promptHash: o.promptHash, randomized: false } : {}) }
	};
}

function jobsState() {
	const db = openDeckDb({ name: `jobs-state-${Math.random()}` });
	const jobs = new JobsState({ db, logger: createLogger(), cacheBytes: () => 10_000_000 });
	return { db, jobs };
}

describe('JobsState against a simulated ComfyUI', () => {
	const sim = useSimulator();
	let close: (() => Promise<void>) | undefined;

	// Node 20 has no WebSocket of its own; the app's clients use the global one.
	beforeAll(() => void vi.stubGlobal('WebSocket', WebSocket));
	afterEach(async () => {
		await close?.();
		close = undefined;
	});
	afterAll(() => void vi.unstubAllGlobals());

	it('keeps a finished job’s images in IndexedDB, fills the result cache and tells the history views', async () => {
		const { db, jobs } = jobsState();
		close = () => jobs.close();
		const server = { id: 's1', baseUrl: sim.url };
		const id = uuidv4();
		await putJob(await db, pendingJob({ id, serverId: 's1', promptHash: 'hash-1' }));
		const before = jobs.historyVersion;

		await (await jobs.clientFor(server)).jobs.submit({ id, workflow: WORKFLOW });

		await vi.waitFor(() => expect(jobs.byId[id]?.status).toBe('succeeded'), { timeout: 10_000 });
		expect(jobs.byId[id]?.serverId).toBe('s1');
		expect(jobs.list.map((j) => j.id)).toEqual([id]);
		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		const stored = await getJob(await db, id);
		const kept = stored?.app.images?.[0];
		expect(kept?.filename).toMatch(/^jobs-state_\d+_\.png$/);
		const image = await getImage(await db, kept?.hash ?? '');
		expect(image?.blob.size).toBeGreaterThan(0);
		expect(kept?.bytes).toBe(image?.blob.size);
		// The cache is filled right after the record is updated.
		await vi.waitFor(async () =>
			expect((await useCacheEntry(await db, 'hash-1'))?.imageHashes).toEqual([kept?.hash])
		);
		expect(jobs.historyVersion).toBeGreaterThan(before);
		expect(jobs.keepError).toBeNull();
		expect(jobs.previews[id]).toBeUndefined();
	});

	it('keeps a finished job’s image when its early fetch (as the socket named it) failed', async () => {
		const { db, jobs } = jobsState();
		close = () => jobs.close();
		const id = uuidv4();
		await putJob(await db, pendingJob({ id, serverId: 's1' }));
		// The first /view answers 404 (not retried by the client): the keeper must fetch the file again.
		sim.controls.failRoute({ path: '/view', status: 404, times: 1 });

		await (await jobs.clientFor({ id: 's1', baseUrl: sim.url })).jobs.submit({ id, workflow: WORKFLOW });

		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		const kept = (await getJob(await db, id))?.app.images?.[0];
		expect((await getImage(await db, kept?.hash ?? ''))?.blob.size).toBeGreaterThan(0);
		expect(jobs.keepError).toBeNull();
		// Kept, so no longer held in memory.
		expect(jobs.freshResults(id)).toBeUndefined();
	});

	it('saves a staged job whole, its app fields with it, before its POST leaves', async () => {
		const { db, jobs } = jobsState();
		close = () => jobs.close();
		const id = uuidv4();
		const stored: (StoredJob | undefined)[] = [];
		const realFetch = globalThis.fetch;
		const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
			if (init?.method === 'POST' && String(input).endsWith('/prompt'))
				stored.push(await getJob(await db, id));
			return realFetch(input, init);
		});
		try {
			jobs.stage(id, { serverId: 's1', app: { templateId: 't1', parameters: { seed: 3 } } });
			await (await jobs.clientFor({ id: 's1', baseUrl: sim.url })).jobs.submit({ id, workflow: WORKFLOW });
		} finally {
			spy.mockRestore();
		}
		expect(stored).toHaveLength(1);
		expect(stored[0]?.status).toBe('pending');
		expect(stored[0]?.app).toEqual({ templateId: 't1', parameters: { seed: 3 } });
		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		expect((await getJob(await db, id))?.app.parameters).toEqual({ seed: 3 });
	});

	it('uses one client per server and replaces it when the server’s address changes', async () => {
		const { jobs } = jobsState();
		close = () => jobs.close();
		const first = await jobs.clientFor({ id: 's1', baseUrl: sim.url });
		expect(await jobs.clientFor({ id: 's1', baseUrl: sim.url })).toBe(first);
		expect(jobs.loadedClientFor({ id: 's1', baseUrl: sim.url })).toBe(first);
		const moved = await jobs.clientFor({ id: 's1', baseUrl: `${sim.url}/` });
		expect(moved).not.toBe(first);
		jobs.syncServers({ servers: [{ id: 's2', baseUrl: sim.url }] });
		expect(await jobs.clientFor({ id: 's2', baseUrl: sim.url })).not.toBe(moved);
	});
});

describe('JobsState through a failed health check', () => {
	// The simulator runs 100× faster than a real server, but `slowRoute` delays in its own time: 150 s of it are 1.5 s.
	const sim = useSimulator();
	let close: (() => Promise<void>) | undefined;

	beforeAll(() => void vi.stubGlobal('WebSocket', WebSocket));
	afterEach(async () => {
		await close?.();
		close = undefined;
	});
	afterAll(() => void vi.unstubAllGlobals());

	it('keeps a job whose POST was in flight when its server missed one check, and keeps its images', async () => {
		const { db, jobs } = jobsState();
		close = () => jobs.close();
		const server = { id: 's1', baseUrl: sim.url };
		jobs.syncServers({ servers: [server] });
		const id = uuidv4();
		// The server takes its time with this POST (a busy validation, a slow link): the page's check of the server
		// fails meanwhile, and the server answers the next one.
		sim.controls.slowRoute({ path: '/prompt', ms: 150_000 });
		const sent = (await jobs.clientFor(server)).jobs.submit({ id, workflow: WORKFLOW });
		await vi.waitFor(() => expect(jobs.byId[id]?.attempts).toBe(1));
		jobs.syncServers({ servers: [server], offline: new Set(['s1']) });
		jobs.syncServers({ servers: [server] });

		await sent;
		await vi.waitFor(() => expect(jobs.byId[id]?.status).toBe('succeeded'), { timeout: 10_000 });
		await vi.waitFor(async () => expect((await getJob(await db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		expect((await getJob(await db, id))?.status).toBe('succeeded');
		// Run once, not sent twice.
		expect(sim.controls.runs().filter((run) => run.promptId === id)).toHaveLength(1);
	}, 20_000);

	it('says a stored send the server never confirmed and does not know was never received, not forgotten', async () => {
		const { db, jobs } = jobsState();
		close = () => jobs.close();
		const id = uuidv4();
		// Sent once, its answer never came (the page closed, or the server could not be reached then).
		await putJob(await db, { ...pendingJob({ id, serverId: 's1' }), serverUrl: `${sim.url}/`, attempts: 1 });

		jobs.syncServers({ servers: [{ id: 's1', baseUrl: sim.url }] });

		await vi.waitFor(() => expect(jobs.byId[id]?.status).toBe('lost'), { timeout: 10_000 });
		expect(jobs.byId[id]?.error).toMatchObject({ kind: 'lost', received: false });
		expect(jobs.byId[id]?.error?.message).toMatch(/^The server never received job /);
		expect(jobs.byId[id]?.error?.message).not.toMatch(/restarted/);
		expect((await getJob(await db, id))?.error?.message).toMatch(/never received/);
	});

	it('closes the client of a server that fails its check once it has no unfinished job, and not before', async () => {
		const { jobs } = jobsState();
		close = () => jobs.close();
		const server = { id: 's1', baseUrl: sim.url };
		const idle = { id: 's2', baseUrl: sim.url };
		jobs.syncServers({ servers: [server, idle] });
		const client = await jobs.clientFor(server);
		const idleClient = await jobs.clientFor(idle);
		const id = uuidv4();
		sim.controls.slowRoute({ path: '/prompt', ms: 100_000 });
		const sent = client.jobs.submit({ id, workflow: WORKFLOW });
		await vi.waitFor(() => expect(jobs.byId[id]?.attempts).toBe(1));

		jobs.syncServers({ servers: [server, idle], offline: new Set(['s1', 's2']) });
		// Nothing to follow on s2: its socket stops knocking. s1's job keeps its client.
		await vi.waitFor(() => expect(idleClient.socket.state).toBe('closed'));
		expect(jobs.loadedClientFor(server)).toBe(client);
		expect(client.socket.state).not.toBe('closed');

		await sent;
		await vi.waitFor(() => expect(jobs.byId[id]?.status).toBe('succeeded'), { timeout: 10_000 });
		await vi.waitFor(() => expect(client.socket.state).toBe('closed'));
	}, 20_000);
});

describe('JobsState when a server is removed', () => {
	it('ends that server’s unfinished jobs with a reason and leaves the others alone', async () => {
		const { db, jobs } = jobsState();
		await putJob(await db, pendingJob({ id: 'gone', serverId: 'removed' }));
		await putJob(await db, pendingJob({ id: 'kept', serverId: 'still-here' }));
		await putJob(await db, {
			...pendingJob({ id: 'done', serverId: 'removed' }),
			status: 'succeeded',
			timings: { created: 1, finished: 2 }
		});
		const before = jobs.historyVersion;

		await jobs.endJobsOfRemovedServers(['still-here']);

		const gone = await getJob(await db, 'gone');
		expect(gone?.status).toBe('interrupted');
		expect(gone?.error?.message).toMatch(/server was removed from Settings/);
		expect(gone?.timings.finished).toBeGreaterThan(0);
		expect((await getJob(await db, 'kept'))?.status).toBe('pending');
		expect((await getJob(await db, 'done'))?.timings.finished).toBe(2);
		expect(jobs.historyVersion).toBe(before + 1);
		// Views following history read only the job it ended.
		expect(jobs.changesSince(before)).toEqual(['gone']);

		await jobs.endJobsOfRemovedServers(['still-here']);
		expect(jobs.historyVersion).toBe(before + 1);
		// A change that names no job (a delete, an import): views read everything again.
		jobs.announce();
		expect(jobs.changesSince(before)).toBeNull();
		expect(jobs.changesSince(before + 1)).toBeNull();
		await jobs.close();
	});
});
