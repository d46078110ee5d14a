import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ComfyApi } from '$lib/comfy';
import { createTemplate } from '$lib/comfy/workflow';
import { openDeckDb } from '$lib/storage/db';
import { jobRecord } from '$lib/storage/testing/records';
import type { StoredJob } from '$lib/storage/jobs';
import type { ServerView } from './app.svelte';
import {
	generationFromJob,
	jobExecutionMs,
	jobImages,
	jobOutcome,
	jobTemplateId,
	jobThumbImage
} from './dashboard-jobs';
import { DashboardState, type DashboardApp } from './dashboard.svelte';
import { FreeMemoryAction } from './models-free.svelte';

const server: ServerView = { id: 's1', name: 'Studio', baseUrl: 'http://box:8188/', order: 0, createdAt: 0 };
const job = (over: Partial<StoredJob> & { id: string }): StoredJob =>
	jobRecord({ serverId: 's1', status: 'succeeded', createdAt: Date.now() - 60_000, ...over });

afterEach(() => vi.useRealTimers());

describe('job records', () => {
	it('reads outcome, execution time, template and images the way the app stores them (StoredJob)', () => {
		expect(['succeeded', 'completed'].map(jobOutcome)).toEqual(['completed', 'completed']);
		expect(['failed', 'lost'].map(jobOutcome)).toEqual(['failed', 'failed']);
		expect(['pending', 'queued', 'running', 'interrupted'].map(jobOutcome)).toEqual([
			'other',
			'other',
			'other',
			'other'
		]);
		const stored = job({
			id: 'a',
			timings: { created: 500, queued: 900, started: 1000, finished: 5200 },
			app: {
				templateId: 'portrait',
				templateName: 'Portrait',
				images: [{ filename: 'x.png', subfolder: '', type: 'output', hash: 'abc' }]
			},
			outputs: [{ filename: 'x.png', subfolder: '', type: 'output' }]
		});
		expect(jobExecutionMs(stored)).toBe(4200);
		expect(jobTemplateId(stored)).toBe('portrait');
		expect(jobImages(stored)).toEqual([{ kind: 'stored', hash: 'abc' }]);
		// Not fetched yet: the server's file.
		expect(jobImages({ ...stored, app: {} })).toEqual([
			{ kind: 'server', filename: 'x.png', subfolder: '', type: 'output' }
		]);
		// A tile shows what History's card shows: a video's frame rather than the sound listed before it.
		const clip = {
			...stored,
			app: {
				images: [
					{ filename: 's.flac', subfolder: '', type: 'output', hash: 'snd', kind: 'audio' as const },
					{ filename: 'v.mp4', subfolder: '', type: 'output', hash: 'vid', kind: 'video' as const }
				]
			}
		};
		expect(jobThumbImage(clip)).toEqual({ kind: 'stored', hash: 'vid' });
		expect(jobThumbImage({ ...stored, app: {} })).toEqual(jobImages({ ...stored, app: {} })[0]);
		expect(jobExecutionMs(job({ id: 'c', timings: { created: 1, started: 1000 } }))).toBeUndefined();
		expect(generationFromJob(job({ id: 'e', createdAt: 5 }))).toEqual({
			createdAt: 5,
			outcome: 'completed',
			templateKey: ''
		});
	});
});

describe('DashboardState', () => {
	it('builds the statistics and recent strip from the job records, newest first', async () => {
		const name = `deck-dashboard-${Math.random().toString(36).slice(2)}`;
		const db = await openDeckDb({ name });
		const now = Date.now();
		const run = (id: string, created: number, ms: number, templateId = 'portrait') =>
			job({
				id,
				createdAt: created,
				timings: { created, started: created + 100, finished: created + 100 + ms },
				app: { templateId, templateName: templateId === 'portrait' ? 'Portrait' : 'Old one' }
			});
		await db.put('templates', {
			...createTemplate({ name: 'Portrait (renamed)', api: {}, parameters: [], now: 0 }),
			id: 'portrait'
		});
		await db.put('jobs', job({ id: 'old', createdAt: now - 40 * 86_400_000 }));
		await db.put('jobs', run('a', now - 4000, 4000));
		await db.put('jobs', run('b', now - 3000, 6000));
		await db.put('jobs', run('d', now - 2000, 1000, 'gone'));
		await db.put(
			'jobs',
			job({
				id: 'c',
				status: 'failed',
				createdAt: now - 1000,
				error: { kind: 'execution', message: 'CUDA out of memory' }
			})
		);
		const app: DashboardApp = {
			servers: [server],
			connections: {
				get: () => ({ status: 'online' }),
				onCheck: () => () => {},
				check: async () => ({ status: 'online' }),
				wantLive: () => () => {}
			},
			queryClient: {
				getQueryData: () => undefined,
				getQueryState: () => undefined
			} as unknown as DashboardApp['queryClient'],
			apiFor: () => ({}) as ComfyApi
		};
		const dashboard = new DashboardState({ app, db: Promise.resolve(db) });
		await dashboard.refreshJobs();

		expect(dashboard.recent.map((j) => j.id)).toEqual(['c', 'd', 'b', 'a']);
		expect(dashboard.summary).toMatchObject({ completed: 3, failed: 1 });
		expect(dashboard.summary.failureRate).toBeCloseTo(1 / 4);
		expect(dashboard.summary.perTemplate[0]).toEqual({
			templateKey: 'portrait',
			count: 2,
			medianMs: 5000,
			p95Ms: 5900
		});
		// The current name of a template, or the name it had when it ran if it was deleted since.
		expect(dashboard.templateName('portrait')).toBe('Portrait (renamed)');
		expect(dashboard.templateName('gone')).toBe('Old one');
		expect(dashboard.lastFailedJob('s1')?.id).toBe('c');

		// The next refreshes: a run started since shows, and one running then shows how it ended; a run deleted in
		// another tab goes with the next full read.
		await db.put('jobs', { ...run('e', now - 500, 0), status: 'running' });
		await dashboard.refreshJobs();
		expect(dashboard.recent.map((j) => [j.id, j.status])[0]).toEqual(['e', 'running']);
		await db.put('jobs', { ...run('e', now - 500, 700), status: 'failed' });
		await db.put('jobs', run('f', now - 100, 300));
		await db.delete('jobs', 'a');
		await dashboard.refreshJobs();
		expect(dashboard.recent.slice(0, 2).map((j) => [j.id, j.status])).toEqual([
			['f', 'succeeded'],
			['e', 'failed']
		]);
		await dashboard.refreshJobs({ full: true });
		expect(dashboard.recent.map((j) => j.id)).toEqual(['f', 'e', 'c', 'd', 'b']);
		db.close();
		indexedDB.deleteDatabase(name);
	});
});

describe('FreeMemoryAction', () => {
	it('asks the server to unload (and free) and says the server applies it between prompts', async () => {
		const free = vi.fn(async () => undefined);
		const action = new FreeMemoryAction();
		await action.run({ api: { free }, kind: 'free' });
		expect(free).toHaveBeenCalledWith({ unloadModels: true, freeMemory: true });
		expect(action.message).toEqual({
			ok: true,
			text: expect.stringMatching(/free memory.*no prompt is running/)
		});

		await action.run({ api: { free }, kind: 'unload' });
		expect(free).toHaveBeenLastCalledWith({ unloadModels: true, freeMemory: false });
		expect(action.working).toBeNull();
	});

	it('shows why it failed', async () => {
		const action = new FreeMemoryAction();
		await action.run({
			api: { free: async () => Promise.reject(new Error('Cannot reach http://box:8188/.')) },
			kind: 'unload'
		});
		expect(action.message).toEqual({ ok: false, text: 'Cannot reach http://box:8188/.' });
		expect(action.working).toBeNull();
	});
});
