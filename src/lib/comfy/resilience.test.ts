/**
 * The promise of the core: a submitted job is never silently lost — not to a dropped socket at any point of a run,
 * a lost POST answer, a reload, or a server restart (then it is marked lost and resubmitted in one call).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { REPLAY_BASE, replay, startMsw, type ReplayHarness } from '../../../tests/core/replay-client';
import { recordedRuns } from '../../../tests/core/replay-server';
import { loadTranscript } from '../../../tests/core/transcripts';
import { ComfyJobLostError } from './errors';
import type { ApiWorkflow } from './schemas';

const msw = startMsw();
let harness: ReplayHarness | undefined;
afterEach(async () => {
	await harness?.close();
	harness = undefined;
});
afterAll(() => msw.close());

const workflowOf = (h: ReplayHarness, run = 0) => h.server.runs[run]?.prompt as ApiWorkflow;

describe('a dropped socket at every point of a run', () => {
	for (const name of ['b_success', 'd_progress'] as const) {
		const frames = recordedRuns(loadTranscript(name))[0]?.after.length ?? 0;

		it(`${name}: dropped before the run starts, the job still succeeds with all its images`, async () => {
			harness = replay(name);
			const h = harness;
			await waitFor(() => h.server.connectedClients === 1);
			h.server.dropSockets();
			const result = await h.client.generateImage({ workflow: workflowOf(h) });
			expect(result.images.length).toBe(name === 'b_success' ? 1 : 2);
			expect(h.server.posts).toHaveLength(1);
		});

		for (let index = 0; index < frames; index++) {
			it(`${name}: dropped before frame ${index + 1}/${frames}, the job still succeeds with all its images`, async () => {
				harness = replay(name);
				const h = harness;
				h.server.dropBeforeFrame(index);
				const result = await h.client.generateImage({ workflow: workflowOf(h) });
				const expected =
					name === 'b_success'
						? ['success_00001_.png']
						: ['progress_00001_.png', expect.stringMatching(/^ComfyUI_temp_/)];
				expect(result.images.map((i) => i.filename).sort()).toEqual(expect.arrayContaining(expected));
				expect(result.images).toHaveLength(expected.length);
				expect(h.server.posts).toHaveLength(1);
				expect(h.client.jobs.list()).toHaveLength(1);
			});
		}
	}
});

describe('lost answers and reloads', () => {
	it('asks the server instead of re-sending when the POST answer is lost', async () => {
		harness = replay('d_progress');
		const h = harness;
		h.server.loseNextAnswer();
		const result = await h.client.generateImage({ workflow: workflowOf(h) });
		expect(result.images).toHaveLength(2);
		expect(h.server.posts).toHaveLength(1);
		expect(h.server.requests).toContain(`GET /api/jobs/${result.promptId}`);
	});

	it('sends again only after the server said twice it does not have the job', async () => {
		harness = replay('b_success');
		const h = harness;
		h.server.failNext(1);
		const result = await h.client.generateImage({ workflow: workflowOf(h) });
		expect(result.images).toHaveLength(1);
		const lookups = h.server.requests.filter((r) => r === `GET /api/jobs/${result.promptId}`);
		expect(lookups.length).toBeGreaterThanOrEqual(2);
		expect(h.server.requests.filter((r) => r === 'POST /api/prompt')).toHaveLength(2);
		expect(h.client.jobs.get(result.promptId)).toMatchObject({ attempts: 2, status: 'succeeded' });
	});

	it('finishes a job after a reload of the page, from the stored record', async () => {
		harness = replay('d_progress', { server: { msPerSecond: 200 } });
		const h = harness;
		const job = await h.client.jobs.submit({ workflow: workflowOf(h) });
		await h.client.close();
		const reloaded = h.reload();
		await reloaded.ready;
		const done = await reloaded.jobs.waitFor(job.id);
		expect(done).toMatchObject({ status: 'succeeded' });
		expect(done.outputs).toHaveLength(2);
		expect(await h.store.get(job.id)).toMatchObject({ status: 'succeeded' });
	});
});

describe('older servers', () => {
	it('confirms jobs from the queue and history when /api/jobs does not exist', async () => {
		harness = replay('d_progress');
		const h = harness;
		msw.use(
			http.get(`${REPLAY_BASE}api/jobs/:id`, () => new HttpResponse('404: Not Found', { status: 404 }))
		);
		h.server.dropBeforeFrame(3);
		const result = await h.client.generateImage({ workflow: workflowOf(h) });
		expect(result.images).toHaveLength(2);
		expect(h.client.api.hasJobsRoute).toBe(false);
		expect(h.server.requests).toContain(`GET /api/history/${result.promptId}`);
	});
});

describe('a server restart', () => {
	it('marks the job lost, and one call resubmits it', async () => {
		harness = replay('k_reconnect', { server: { msPerSecond: 200 } });
		const h = harness;
		const errors: unknown[] = [];
		const pending = h.client.generateImage({ workflow: workflowOf(h, 0), onError: (e) => errors.push(e) });
		await waitFor(() => h.client.jobs.list()[0]?.status === 'running');
		h.server.restart();
		const error = await pending.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ComfyJobLostError);
		expect(errors).toEqual([error]);
		const lost = h.client.jobs.list()[0];
		expect(lost).toMatchObject({ status: 'lost', error: { kind: 'lost' } });
		expect(lost?.error?.message).toMatch(/no longer knows/);

		const again = await h.client.jobs.resubmit(lost?.id ?? '');
		expect(again).toMatchObject({ resubmittedFrom: lost?.id });
		expect(h.client.jobs.get(lost?.id ?? '')).toMatchObject({ resubmittedAs: again.id });
		const done = await h.client.jobs.waitFor(again.id);
		expect(done).toMatchObject({ status: 'succeeded', outputs: [{ filename: 'reconnect2_00001_.png' }] });
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
	const start = Date.now();
	while (!condition()) {
		if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
