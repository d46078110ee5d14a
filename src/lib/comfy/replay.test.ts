/**
 * Every recorded scenario with a run, replayed through the whole client (REST + WebSocket via msw): the events a
 * user would see and the final job state.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { http } from 'msw';
import { REPLAY_BASE, replay, startMsw, type ReplayHarness } from '../../../tests/core/replay-client';
import { httpExchanges, loadTranscript, recordedResponse } from '../../../tests/core/transcripts';
import { ComfyExecutionError, ComfyInterruptedError, ComfyValidationError } from './errors';
import type { GenerationPreview, GenerationProgress } from './generate-image';
import type { JobChange } from './job-tracker';

const msw = startMsw();
let harness: ReplayHarness | undefined;
afterEach(async () => {
	await harness?.close();
	harness = undefined;
});
afterAll(() => msw.close());

type Prompt = Parameters<ReplayHarness['client']['generateImage']>[0]['workflow'];

function open(name: Parameters<typeof replay>[0], options?: Parameters<typeof replay>[1]) {
	harness = replay(name, options);
	return harness;
}

function collect(h: ReplayHarness) {
	const progress: GenerationProgress[] = [];
	const previews: GenerationPreview[] = [];
	const changes: JobChange[] = [];
	h.client.jobs.subscribe((c) => changes.push(c));
	return {
		progress,
		previews,
		changes,
		onProgress: (p: GenerationProgress) => progress.push(p),
		onPreview: (p: GenerationPreview) => previews.push(p)
	};
}

const statuses = (changes: JobChange[]) =>
	changes.map((c) => c.job.status).filter((s, i, all) => i === 0 || all[i - 1] !== s);

describe('replaying the recorded scenarios', () => {
	it('b_success: one run, three nodes, one saved image', async () => {
		const h = open('b_success');
		const seen = collect(h);
		const run = h.server.runs[0];
		const result = await h.client.generateImage({
			workflow: run?.prompt as Prompt,
			metadata: { userInitials: 'JD', style: 'flat', tags: ['test'] },
			onProgress: seen.onProgress
		});
		expect(result.images).toEqual([
			expect.objectContaining({
				filename: 'success_00001_.png',
				path: 'harness/success_00001_.png',
				type: 'output',
				size: { width: 64, height: 48 }
			})
		]);
		expect(result.promptId).toMatch(/^[0-9a-f-]{36}$/);
		expect(result.workflowId).toMatch(/^wf-[0-9a-f]{8}$/);
		expect(result.metadata).toMatchObject({
			nodeCount: 3,
			userInitials: 'JD',
			style: 'flat',
			tags: ['test']
		});
		// The server's own run time (execution_start 1795469996251 to execution_success 1795469996255 in the
		// recording), not the replay's wall clock, and the result is stamped with the server's end time.
		expect(result.metadata).toMatchObject({ executionTime: 4, timestamp: 1795469996255 });
		expect(statuses(seen.changes)).toEqual(['pending', 'queued', 'running', 'succeeded']);
		const last = seen.progress.at(-1);
		expect(last).toMatchObject({ status: 'succeeded', nodesDone: 3, nodesTotal: 3, fraction: 1 });
		expect(seen.progress.map((p) => p.nodesDone)).toEqual([...seen.progress.map((p) => p.nodesDone)].sort());
		expect(h.server.posts[0]).toMatchObject({
			prompt_id: result.promptId,
			client_id: h.client.socket.clientId
		});
		expect(await h.store.get(result.promptId)).toMatchObject({
			status: 'succeeded',
			outputs: [{ filename: 'success_00001_.png' }]
		});
	});

	it('c_cached: every node cached, counted as done, the old file name', async () => {
		const h = open('c_cached');
		const seen = collect(h);
		const result = await h.client.generateImage({
			workflow: h.server.runs[0]?.prompt as Prompt,
			onProgress: seen.onProgress
		});
		expect(result.images.map((i) => i.filename)).toEqual(['success_00001_.png']);
		const running = seen.progress.filter((p) => p.status === 'running');
		expect(running.at(-1)).toMatchObject({ cachedNodes: 3, nodesDone: 3, nodesTotal: 3 });
	});

	for (const [name, mime] of [
		['d_progress', 'image/jpeg'],
		['d2_progress_png', 'image/png']
	] as const) {
		it(`${name}: step progress, previews for the running job, an output and a temp image`, async () => {
			const h = open(name);
			const seen = collect(h);
			const result = await h.client.generateImage({
				workflow: h.server.runs[0]?.prompt as Prompt,
				onProgress: seen.onProgress,
				onPreview: seen.onPreview
			});
			expect(result.images.map((i) => `${i.type}:${i.filename}`).sort()).toEqual([
				expect.stringMatching(/^output:progress(_png)?_00001_\.png$/),
				expect.stringMatching(/^temp:ComfyUI_temp_/)
			]);
			expect(seen.previews).toHaveLength(5);
			expect(seen.previews.every((p) => p.mimeType === mime && p.promptId === result.promptId)).toBe(true);
			const steps = seen.progress.filter((p) => p.node === '10' && p.max === 5).map((p) => p.value);
			expect(steps).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
			expect(seen.progress.find((p) => p.node === '10')).toMatchObject({ nodeType: 'TestSlowImage' });
		});
	}

	it('e_feature_flags: previews carry their prompt and node (event 4)', async () => {
		const h = open('e_feature_flags');
		const seen = collect(h);
		const result = await h.client.generateImage({
			workflow: h.server.runs[0]?.prompt as Prompt,
			onPreview: seen.onPreview
		});
		expect(seen.previews).toHaveLength(5);
		expect(seen.previews[0]).toMatchObject({
			promptId: result.promptId,
			nodeId: '10',
			mimeType: 'image/jpeg'
		});
	});

	it('g_execution_error: the failing node, its exception and traceback; then the re-run with a cached upstream node', async () => {
		const h = open('g_execution_error');
		const errors: Error[] = [];
		const first = await h.client
			.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt, onError: (e) => errors.push(e) })
			.catch((e: unknown) => e);
		expect(first).toBeInstanceOf(ComfyExecutionError);
		expect(first).toMatchObject({
			nodeId: '2',
			nodeType: 'TestFail',
			exceptionType: 'RuntimeError',
			exceptionMessage: 'TestFail: intentional failure for protocol testing\n'
		});
		expect((first as ComfyExecutionError).traceback.length).toBeGreaterThan(0);
		expect(errors).toEqual([first]);
		const job = h.client.jobs.list()[0];
		expect(job).toMatchObject({ status: 'failed', error: { kind: 'execution', nodeId: '2' } });

		const seen = collect(h);
		const second = await h.client
			.generateImage({ workflow: h.server.runs[1]?.prompt as Prompt, onProgress: seen.onProgress })
			.catch((e: unknown) => e);
		expect(second).toBeInstanceOf(ComfyExecutionError);
		expect(seen.progress.some((p) => p.cachedNodes === 1)).toBe(true);
	});

	it('h_interrupt: interrupted runs end as interrupted', async () => {
		const h = open('h_interrupt');
		for (const run of h.server.runs) {
			const error = await h.client.generateImage({ workflow: run.prompt as Prompt }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ComfyInterruptedError);
		}
		expect(h.client.jobs.list().map((j) => j.status)).toEqual(['interrupted', 'interrupted']);
	});

	it('aborting a generation cancels its job on the server and rejects with an AbortError', async () => {
		const h = open('h_interrupt', { server: { msPerSecond: 300 } });
		const controller = new AbortController();
		const errors: Error[] = [];
		const pending = h.client.generateImage({
			workflow: h.server.runs[0]?.prompt as Prompt,
			signal: controller.signal,
			onError: (e) => errors.push(e)
		});
		while (h.client.jobs.list()[0]?.status !== 'running') await new Promise((r) => setTimeout(r, 5));
		controller.abort();
		const error = await pending.catch((e: unknown) => e);
		expect(error).toMatchObject({ name: 'AbortError' });
		expect(errors).toEqual([error]);
		expect(h.client.jobs.list()[0]).toMatchObject({ cancelRequested: true });
		expect(h.server.requests).toContain('POST /api/interrupt');
	});

	it('i_upload: a run from an uploaded image succeeds; one from a text file fails in LoadImage', async () => {
		const h = open('i_upload');
		const ok = await h.client.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt });
		expect(ok.images).toHaveLength(1);
		const bad = await h.client
			.generateImage({ workflow: h.server.runs[1]?.prompt as Prompt })
			.catch((e: unknown) => e);
		expect(bad).toMatchObject({ nodeType: 'LoadImage' });
	});

	it('k_reconnect: runs complete, including the one recorded across a reconnect', async () => {
		const h = open('k_reconnect');
		for (const run of h.server.runs) {
			const result = await h.client.generateImage({ workflow: run.prompt as Prompt });
			expect(result.images).toHaveLength(1);
		}
		expect(h.client.jobs.list().map((j) => j.outputs[0]?.filename)).toEqual([
			'reconnect_00001_.png',
			'reconnect2_00001_.png'
		]);
	});

	it('k2_duplicate_clientId: the run that finished unheard is confirmed over REST', async () => {
		const h = open('k2_duplicate_clientId');
		for (const run of h.server.runs) {
			const result = await h.client.generateImage({ workflow: run.prompt as Prompt });
			expect(result.promptId).toBeTruthy();
		}
		expect(h.client.jobs.list().map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
	});

	it('l_ui_text_and_binary_text: text outputs, no saved image, the cache on the second run', async () => {
		const h = open('l_ui_text_and_binary_text');
		const texts: string[] = [];
		h.client.socket.subscribe((e) => {
			if (e.type === 'progress_text') texts.push(e.text);
		});
		const first = await h.client.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt });
		expect(first.images).toEqual([]);
		const job = h.client.jobs.get(first.promptId);
		expect(job?.texts).toMatchObject({
			'2': ['hello from the harness', 'image shape: [2, 12, 24, 3]'],
			'4': ['24']
		});
		expect(texts).toContain('width: 24, height: 12\n batch size: 2');
		const seen = collect(h);
		await h.client.generateImage({
			workflow: h.server.runs[1]?.prompt as Prompt,
			onProgress: seen.onProgress
		});
		expect(seen.progress.some((p) => p.cachedNodes === 4)).toBe(true);
	});

	it('m_media: a video, a webm, an animated WebP, two audio files and a text, each with its kind', async () => {
		const h = open('m_media');
		const texts: Record<string, unknown[]>[] = [];
		h.client.jobs.subscribe((c) => {
			if (c.job.texts) texts.push(c.job.texts);
		});
		const result = await h.client.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt });
		const byName = Object.fromEntries(result.images.map((i) => [i.filename, i]));
		expect(byName['harness_media_00001_.mp4']).toMatchObject({
			kind: 'video',
			mime: 'video/mp4',
			path: 'video/harness_media_00001_.mp4',
			size: { width: 0, height: 0 }
		});
		expect(byName['harness_media_00002_.webm']).toMatchObject({ kind: 'video', mime: 'video/webm' });
		expect(byName['harness_media_00001_.webp']).toMatchObject({ kind: 'animated', mime: 'image/webp' });
		expect(byName['harness_media_00001_.flac']).toMatchObject({ kind: 'audio', mime: 'audio/flac' });
		expect(byName['ComfyUI_temp_crrsl_00001_.flac']).toMatchObject({ kind: 'audio', type: 'temp' });
		expect(result.images).toHaveLength(5);
		expect(result.texts).toEqual({ '10': ['a caption from PrimitiveString'] });
		// The text reached the job while it ran, from the `executed` message, before the history was read.
		expect(texts[0]).toEqual({ '10': ['a caption from PrimitiveString'] });
	});

	it('f_validation_errors: the accepted half-valid prompt runs; a refused one fails the job with its issues', async () => {
		const h = open('f_validation_errors');
		// The replay has the accepted run only; a 400 comes from a handler answering like the recording.
		const result = await h.client.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt });
		expect(h.client.jobs.get(result.promptId)?.partialErrors).toEqual([
			expect.objectContaining({ nodeId: '4', classType: 'SaveImage', type: 'exception_during_validation' })
		]);
		const refusal = httpExchanges(loadTranscript('f_validation_errors')).find((e) =>
			e.label?.startsWith('(iv) value below min')
		);
		msw.use(http.post(`${REPLAY_BASE}api/prompt`, () => (refusal ? recordedResponse(refusal) : undefined)));
		const error = await h.client
			.generateImage({ workflow: h.server.runs[0]?.prompt as Prompt })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ComfyValidationError);
		const failed = h.client.jobs.list().at(-1);
		expect(failed).toMatchObject({
			status: 'failed',
			attempts: 1,
			error: {
				kind: 'validation',
				issues: [{ nodeId: '1', classType: 'EmptyImage', inputName: 'width', type: 'value_smaller_than_min' }]
			}
		});
	});
});
