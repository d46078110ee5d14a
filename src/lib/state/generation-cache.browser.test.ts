import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { applyParameters } from '$lib/comfy/workflow';
import GenerationResults from '$lib/components/GenerationResults.svelte';
import { openDeckDb } from '$lib/storage/db';
import { putJob } from '$lib/storage/jobs';
import { promptHash } from '$lib/util/canonical-hash';
import mp4 from '../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4?url';
import type { AppState } from './app.svelte';
import { GenerationState } from './generation.svelte';
import { keepRun } from './keep-run';
import { CLIP } from './testing/clip-template';

const SERVER = { id: 's1', name: 'Box', baseUrl: 'http://127.0.0.1:1', order: 0, createdAt: 1 };

describe('a cache hit of a video run in the browser', () => {
	it('plays the video kept the first time, with nothing fetched', async () => {
		const db = openDeckDb({ name: `generation-cache-${crypto.randomUUID()}` });
		const bytes = await (await fetch(mp4)).blob();
		const values = { fps: 6 };
		const workflow = applyParameters({ api: CLIP.api, parameters: CLIP.parameters, values }).api;
		// The first run, finished, kept as the app keeps every run (its bytes probed here: a frame, a duration).
		const output = { filename: 'ComfyDeck-clip_00001_.mp4', subfolder: 'video', type: 'output', nodeId: '3' };
		await putJob(await db, {
			id: 'first',
			serverUrl: SERVER.baseUrl,
			workflow,
			status: 'succeeded',
			outputs: [output],
			timings: { created: 1, finished: 2 },
			attempts: 1,
			serverId: SERVER.id,
			createdAt: 1,
			app: {
				templateId: CLIP.id,
				templateName: CLIP.name,
				parameters: values,
				promptHash: await promptHash(workflow),
				randomized: false
			}
		});
		const kept = await keepRun({
			db: await db,
			id: 'first',
			serverId: SERVER.id,
			live: [output],
			bytes: async () => new Blob([bytes], { type: 'video/mp4' }),
			report: (message) => expect.unreachable(message),
			cacheBytes: 10_000_000
		});
		expect(kept).toBe(true);

		const app = {
			db,
			jobs: { historyVersion: 0, changesSince: () => [], byId: {}, list: [] },
			servers: [SERVER],
			settings: { values: { userInitials: '' } },
			connections: { get: () => ({ status: 'online' }) }
		} as unknown as AppState;
		const run = new GenerationState({ app });
		const fetched = vi.spyOn(window, 'fetch');
		try {
			expect(await run.generate({ template: CLIP, values, server: SERVER })).toBe(false);
			expect(run.phase).toBe('cached');
			render(GenerationResults, {
				images: run.images,
				onuseasinput: () => undefined
			});

			const video = page.getByLabelText('ComfyDeck-clip_00001_.mp4');
			await expect.element(video).toBeVisible();
			const element = video.element() as HTMLVideoElement;
			expect(element.tagName).toBe('VIDEO');
			expect(element.src).toMatch(/^blob:/);
			// It plays: the kept bytes decode to their first frame.
			await expect.poll(() => element.readyState, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
			await expect.element(page.getByRole('button', { name: /^Use as input/ })).toBeVisible();
			expect(fetched).not.toHaveBeenCalled();
		} finally {
			fetched.mockRestore();
			run.dispose();
		}
	});
});
