import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEnvironment, FakeSocketServer } from '../../../tests/core/fake-socket';
import { httpExchanges, loadTranscript, recordedResponse } from '../../../tests/core/transcripts';
import { createComfyApi } from './api';
import { ComfyTimeoutError } from './errors';
import { errorOf } from './generate-image';
import { createJobTracker, type JobTrackerOptions } from './job-tracker';
import { createMemoryJobStore, type JobRecord, type JobStore } from './job-store';
import { createLogger } from './logger';
import type { ApiWorkflow } from './schemas';
import { createComfySocket } from './socket';

const BASE = 'http://127.0.0.1:8188/';
const WORKFLOW: ApiWorkflow = {
	'1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } },
	'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 't' } }
};

type ServerJob = {
	status: 'pending' | 'in_progress' | 'completed' | 'failed';
	number: number;
	outputs?: Record<string, unknown>;
};

/** A tiny scripted ComfyUI behind `fetch`: jobs by id, a queue in number order. */
class MiniComfy {
	readonly jobs = new Map<string, ServerJob>();
	readonly calls: string[] = [];
	readonly posts: Record<string, unknown>[] = [];
	onPost?: (body: Record<string, unknown>) => Promise<void> | void;
	/** Answers POST /prompt instead of queueing. */
	refuse?: () => Response;
	#number = 0;

	fetch: typeof fetch = async (input, init) => {
		const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
		const path = url.pathname;
		const method = init?.method ?? 'GET';
		this.calls.push(`${method} ${path}`);
		const json = (body: unknown, status = 200) =>
			new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
		if (method === 'POST' && path === '/api/prompt') {
			const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
			this.posts.push(body);
			if (this.refuse) return this.refuse();
			const id = String(body.prompt_id);
			this.jobs.set(id, { status: 'pending', number: this.#number++ });
			await this.onPost?.(body);
			return json({ prompt_id: id, number: this.jobs.get(id)?.number ?? 0, node_errors: {} });
		}
		if (method === 'GET' && path.startsWith('/api/jobs/')) {
			const id = decodeURIComponent(path.slice('/api/jobs/'.length));
			const job = this.jobs.get(id);
			if (!job) return json({ error: 'Job not found' }, 404);
			return json({
				id,
				status: job.status,
				priority: job.number,
				outputs: job.outputs,
				execution_status: {
					status_str: job.status === 'failed' ? 'error' : 'success',
					completed: true,
					messages: []
				}
			});
		}
		if (method === 'GET' && path === '/api/queue') {
			const item = ([id, job]: [string, ServerJob]) => [job.number, id, {}, {}, []];
			const all = [...this.jobs.entries()];
			return json({
				queue_running: all.filter(([, j]) => j.status === 'in_progress').map(item),
				queue_pending: all.filter(([, j]) => j.status === 'pending').map(item)
			});
		}
		if (method === 'POST' && path === '/api/queue') {
			const body = JSON.parse(String(init?.body)) as { delete?: string[] };
			for (const id of body.delete ?? []) if (this.jobs.get(id)?.status === 'pending') this.jobs.delete(id);
			return new Response(null, { status: 200 });
		}
		if (method === 'POST' && path === '/api/interrupt') return new Response(null, { status: 200 });
		return new Response('404: Not Found', { status: 404 });
	};

	complete(id: string, filename = 'out_00001_.png') {
		this.jobs.set(id, {
			...(this.jobs.get(id) ?? { number: 0 }),
			status: 'completed',
			outputs: { '2': { images: [{ filename, subfolder: '', type: 'output' }] } }
		});
	}
}

function setup(options: Partial<JobTrackerOptions> & { store?: JobStore; greet?: boolean } = {}) {
	const comfy = new MiniComfy();
	const sockets = new FakeSocketServer();
	const environment = new FakeEnvironment();
	const logger = createLogger({ level: 'debug' });
	const api = createComfyApi({ baseUrl: BASE, fetch: comfy.fetch, logger, retries: 0 });
	const socket = createComfySocket({
		baseUrl: BASE,
		WebSocket: sockets.WebSocket,
		environment,
		logger,
		clientIdChannel: null
	});
	const store = options.store ?? createMemoryJobStore();
	const tracker = createJobTracker({ api, socket, serverUrl: BASE, store, logger, ...options });
	return { comfy, sockets, environment, socket, store, tracker, logger };
}

async function connect(h: ReturnType<typeof setup>) {
	h.socket.connect();
	await vi.advanceTimersByTimeAsync(0);
	h.sockets.last.accept().greet();
	await vi.advanceTimersByTimeAsync(0);
}

const frame = (type: string, data: Record<string, unknown>) => ({ type, data });

/** Records, in order, each record the store writes (`put <status>`) and each POST of a prompt. */
function writesAndPosts(h: ReturnType<typeof setup>): string[] {
	const order: string[] = [];
	const put = h.store.put.bind(h.store);
	h.store.put = async (record) => {
		order.push(`put ${record.status}`);
		await put(record);
	};
	h.comfy.onPost = () => void order.push('POST');
	return order;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('job tracker', () => {
	it('saves the record before it sends the prompt, with a client-chosen lowercase UUID', async () => {
		const h = setup();
		await connect(h);
		const order = writesAndPosts(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW, metadata: { userInitials: 'AB' } });
		expect(order.slice(0, 2)).toEqual(['put pending', 'POST']);
		expect(job.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(h.comfy.posts[0]).toMatchObject({
			prompt_id: job.id,
			client_id: h.socket.clientId,
			prompt: WORKFLOW
		});
		expect(job).toMatchObject({ status: 'queued', attempts: 1, metadata: { userInitials: 'AB' } });
	});

	it('writes no first record of its own for a job its caller stored before submitting (the browser queue)', async () => {
		const h = setup();
		await connect(h);
		const order = writesAndPosts(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW, stored: true });
		await vi.advanceTimersByTimeAsync(0);
		expect(order).toEqual(['POST', 'put queued']);
		expect(job).toMatchObject({ status: 'queued', attempts: 1 });
	});

	it('tracks a job whose messages arrive before the POST answer, and the answer does not undo them', async () => {
		const h = setup();
		await connect(h);
		h.comfy.onPost = (body) => {
			h.sockets.last.receive(frame('execution_start', { prompt_id: body.prompt_id, timestamp: 1 }));
			h.sockets.last.receive(frame('executing', { node: '1', prompt_id: body.prompt_id }));
		};
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		expect(job).toMatchObject({
			status: 'running',
			progress: { node: '1', nodeType: 'EmptyImage', nodesDone: 0, nodesTotal: 2 }
		});
	});

	it('confirms success over REST, not from the socket alone', async () => {
		const h = setup();
		await connect(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.jobs.set(job.id, { status: 'in_progress', number: 0 });
		h.sockets.last.receive(frame('execution_start', { prompt_id: job.id }));
		h.sockets.last.receive(frame('execution_success', { prompt_id: job.id }));
		h.sockets.last.receive(frame('executing', { node: null, prompt_id: job.id }));
		await vi.advanceTimersByTimeAsync(100);
		// REST still says running (history not written yet): the socket's word is not enough.
		expect(h.tracker.get(job.id)?.status).toBe('running');
		h.comfy.complete(job.id);
		await vi.advanceTimersByTimeAsync(2_000);
		expect(h.tracker.get(job.id)).toMatchObject({
			status: 'succeeded',
			outputs: [{ filename: 'out_00001_.png', nodeId: '2' }]
		});
	});

	it('measures silence, not wall time: a long run with messages, and a long queue wait with queue changes, do not time out', async () => {
		const h = setup({ silenceTimeoutMs: 60_000, checkAfterMs: 10_000 });
		await connect(h);
		const running = await h.tracker.submit({ workflow: WORKFLOW });
		const waiting = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.jobs.set(running.id, { status: 'in_progress', number: 0 });
		h.sockets.last.receive(frame('execution_start', { prompt_id: running.id }));
		for (let minute = 0; minute < 10; minute++) {
			for (let i = 0; i < 3; i++) {
				await vi.advanceTimersByTimeAsync(20_000);
				h.sockets.last.receive(frame('progress', { value: i, max: 3, prompt_id: running.id, node: '1' }));
				h.sockets.last.receive(frame('status', { status: { exec_info: { queue_remaining: 2 } } }));
			}
		}
		expect(h.tracker.get(running.id)?.status).toBe('running');
		expect(h.tracker.get(waiting.id)?.status).toBe('queued');
	});

	it('times out a job after silence of both socket and queue, and revives it if it finishes later', async () => {
		const h = setup({ silenceTimeoutMs: 60_000, checkAfterMs: 10_000 });
		await connect(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.jobs.set(job.id, { status: 'in_progress', number: 0 });
		h.sockets.last.receive(frame('execution_start', { prompt_id: job.id }));
		await vi.advanceTimersByTimeAsync(59_000);
		expect(h.tracker.get(job.id)?.status).toBe('running');
		await vi.advanceTimersByTimeAsync(2_000);
		expect(h.tracker.get(job.id)).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });
		h.comfy.complete(job.id);
		h.environment.becomeVisible();
		await vi.advanceTimersByTimeAsync(100);
		expect(h.tracker.get(job.id)?.status).toBe('succeeded');
	});

	it('says how long a timed-out job was silent, in the record and in the error it rejects with', async () => {
		const h = setup({ checkAfterMs: 10_000 });
		await connect(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.jobs.set(job.id, { status: 'in_progress', number: 0 });
		h.sockets.last.receive(frame('execution_start', { prompt_id: job.id }));
		await vi.advanceTimersByTimeAsync(30 * 60_000 + 1_000);
		const failed = h.tracker.get(job.id);
		expect(failed).toMatchObject({ status: 'failed', error: { kind: 'timeout', silenceMs: 30 * 60_000 } });
		const error = failed ? errorOf(failed) : undefined;
		expect(error).toBeInstanceOf(ComfyTimeoutError);
		expect(error).toMatchObject({ timeoutMs: 30 * 60_000, promptId: job.id });
		expect(error?.message).toContain('for 30 min');
		expect(error?.message).not.toContain('0 ms');
	});

	it('polls over REST while the socket cannot open', async () => {
		const h = setup({ pollMs: 2_000 });
		h.socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		h.sockets.last.fail();
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.complete(job.id);
		await vi.advanceTimersByTimeAsync(2_500);
		expect(h.tracker.get(job.id)?.status).toBe('succeeded');
		expect(h.socket.state).not.toBe('open');
	});

	it('reports queue positions from the queue, in number order', async () => {
		const h = setup();
		await connect(h);
		const first = await h.tracker.submit({ workflow: WORKFLOW });
		const second = await h.tracker.submit({ workflow: WORKFLOW });
		const third = await h.tracker.submit({ workflow: WORKFLOW });
		h.comfy.jobs.set(first.id, { status: 'in_progress', number: 0 });
		h.sockets.last.receive(frame('execution_start', { prompt_id: first.id }));
		h.sockets.last.receive(frame('status', { status: { exec_info: { queue_remaining: 3 } } }));
		await vi.advanceTimersByTimeAsync(500);
		expect([h.tracker.get(second.id)?.position, h.tracker.get(third.id)?.position]).toEqual([0, 1]);
	});

	it('cancels a queued job: removed from the queue, ends interrupted', async () => {
		const h = setup();
		await connect(h);
		const job = await h.tracker.submit({ workflow: WORKFLOW });
		const pending = h.tracker.cancel(job.id);
		await vi.advanceTimersByTimeAsync(2_000);
		expect(await pending).toMatchObject({ status: 'interrupted', cancelRequested: true });
		expect(h.comfy.calls).toContain('POST /api/queue');
		expect(h.comfy.calls).toContain('POST /api/interrupt');
	});

	it('calls a queued job deleted elsewhere "removed" while the socket stayed open, and "lost" when it was down', async () => {
		const h = setup();
		await connect(h);
		const removed = await h.tracker.submit({ workflow: WORKFLOW });
		const gone = await h.tracker.submit({ workflow: WORKFLOW });
		// Another tab clears the queue: the server that accepted the job is still up, so it did not forget it.
		h.comfy.jobs.delete(removed.id);
		await h.tracker.reconcile([removed.id]);
		await vi.advanceTimersByTimeAsync(1_500);
		expect(h.tracker.get(removed.id)).toMatchObject({
			status: 'interrupted',
			error: { kind: 'interrupted', message: expect.stringContaining('removed from the server’s queue') }
		});
		// With the socket down, a clear and a restart look the same: the job is lost (and can be resubmitted).
		h.sockets.last.drop();
		h.comfy.jobs.delete(gone.id);
		await vi.advanceTimersByTimeAsync(5_000);
		expect(h.tracker.get(gone.id)).toMatchObject({ status: 'lost', error: { kind: 'lost' } });
	});

	it('restores stored jobs on load: finished ones succeed, forgotten ones are lost, an unconfirmed send is adopted', async () => {
		const store = createMemoryJobStore();
		const base = { serverUrl: BASE, workflow: WORKFLOW, outputs: [], timings: { created: 1 } };
		const stored: JobRecord[] = [
			{ ...base, id: '11111111-1111-4111-8111-111111111111', status: 'running', attempts: 1 },
			{ ...base, id: '22222222-2222-4222-8222-222222222222', status: 'queued', attempts: 1 },
			{ ...base, id: '33333333-3333-4333-8333-333333333333', status: 'pending', attempts: 1 },
			{ ...base, id: '44444444-4444-4444-8444-444444444444', status: 'succeeded', attempts: 1 },
			// Stored before its POST by a page that closed: the POST may or may not have left.
			{ ...base, id: '55555555-5555-4555-8555-555555555555', status: 'pending', attempts: 0 },
			{ ...base, id: '66666666-6666-4666-8666-666666666666', status: 'pending', attempts: 0 }
		];
		for (const record of stored) await store.put(record);
		const h = setup({ store });
		h.comfy.complete('11111111-1111-4111-8111-111111111111');
		h.comfy.jobs.set('33333333-3333-4333-8333-333333333333', { status: 'pending', number: 5 });
		h.comfy.jobs.set('55555555-5555-4555-8555-555555555555', { status: 'pending', number: 6 });
		const loading = h.tracker.load();
		await vi.advanceTimersByTimeAsync(3_000);
		await loading;
		expect(h.tracker.list().map((j) => j.status)).toEqual([
			'succeeded',
			'lost',
			'queued',
			'succeeded',
			'queued',
			'lost'
		]);
		expect(await store.get('22222222-2222-4222-8222-222222222222')).toMatchObject({
			status: 'lost',
			error: { kind: 'lost' }
		});
		expect(h.comfy.posts).toHaveLength(0);
	});

	it('fails a job at once when the Origin check refuses the POST (j_cors_disabled), saying how to fix it', async () => {
		const h = setup();
		await connect(h);
		const refusal = httpExchanges(loadTranscript('j_cors_disabled')).find(
			(e) => e.request.method === 'POST' && e.request.path === '/prompt'
		);
		if (!refusal) throw new Error('no refused POST in j_cors_disabled');
		h.comfy.refuse = () => recordedResponse(refusal);
		await expect(h.tracker.submit({ workflow: WORKFLOW })).rejects.toMatchObject({
			diagnosis: 'origin-check'
		});
		await vi.advanceTimersByTimeAsync(10_000);
		expect(h.comfy.posts).toHaveLength(1);
		expect(h.tracker.list()[0]).toMatchObject({
			status: 'failed',
			attempts: 1,
			error: { kind: 'connection', hint: expect.stringContaining('--enable-cors-header') }
		});
	});

	it('fails a job the server refuses, without retrying, and keeps the issues', async () => {
		const h = setup();
		await connect(h);
		h.comfy.refuse = () =>
			new Response(
				JSON.stringify({
					error: {
						type: 'prompt_outputs_failed_validation',
						message: 'Prompt outputs failed validation',
						details: '',
						extra_info: {}
					},
					node_errors: {
						'1': {
							errors: [
								{
									type: 'required_input_missing',
									message: 'Required input is missing',
									details: 'width',
									extra_info: { input_name: 'width' }
								}
							],
							dependent_outputs: ['2'],
							class_type: 'EmptyImage'
						}
					}
				}),
				{ status: 400 }
			);
		const tracker = h.tracker;
		await expect(tracker.submit({ workflow: WORKFLOW })).rejects.toMatchObject({
			name: 'ComfyValidationError'
		});
		expect(tracker.list()[0]).toMatchObject({
			status: 'failed',
			attempts: 1,
			error: { kind: 'validation', issues: [{ inputName: 'width' }] }
		});
	});
});
