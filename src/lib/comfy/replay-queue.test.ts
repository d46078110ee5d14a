/**
 * h2_queue_management replayed through the client as the app drives it: three prompts queued, one removed, one
 * sent with `front`, a delete of the running one (no effect), the pending queue cleared, then the server's history
 * deleted and cleared. The recorded server runs one prompt at a time from a queue (lowest number first; `front`
 * gets a negative number), so the stand-in here is a small queue that plays each prompt's recorded frames when the
 * test lets it run. Every queue the recording shows is compared with the stand-in's, and timers are fake.
 */
import { http, HttpResponse, ws, type HttpHandler, type WebSocketHandler } from 'msw';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPLAY_BASE, replay, startMsw, type ReplayHarness } from '../../../tests/core/replay-client';
import {
	binaryFrame,
	httpExchanges,
	loadTranscript,
	wsFrames,
	type RecordedWs,
	type Transcript
} from '../../../tests/core/transcripts';
import { sentJson } from '../../../tests/transcript-format';
import { createComfyApi } from './api';
import type { JobRecord } from './job-store';
import type { ApiWorkflow, Queue } from './schemas';

type WsClient = Parameters<Parameters<ReturnType<typeof ws.link>['addEventListener']>[1]>[0]['client'];

/** One POST /prompt of the recording and the frames of its run. */
interface RecordedPrompt {
	/** P1…P7, as the recording labels them. */
	label: string;
	recordedId: string;
	prompt: ApiWorkflow;
	front: boolean;
	/** Frames from `execution_start` to `executing {node: null}`, without the queue's `status` broadcasts. */
	frames: RecordedWs[];
}

type TextFrame = Extract<RecordedWs, { frame: 'text' }>;

const text = (frame: RecordedWs, type: string, id: string): frame is TextFrame =>
	frame.frame === 'text' &&
	frame.json.type === type &&
	(frame.json.data as { prompt_id?: string }).prompt_id === id;

function recordedPrompts(transcript: Transcript): RecordedPrompt[] {
	const frames = wsFrames(transcript);
	return httpExchanges(transcript)
		.filter((e) => e.request.method === 'POST' && e.request.path === '/prompt')
		.map((post) => {
			const body = sentJson(post) as { prompt: ApiWorkflow; front?: boolean };
			const recordedId = (post.response.json as { prompt_id: string }).prompt_id;
			const start = frames.findIndex((f) => text(f, 'execution_start', recordedId));
			const end = frames.findIndex(
				(f) => text(f, 'executing', recordedId) && (f.json.data as { node: unknown }).node === null
			);
			return {
				label: post.label?.split(' ')[0] ?? '',
				recordedId,
				prompt: body.prompt,
				front: body.front === true,
				frames:
					start < 0
						? []
						: frames.slice(start, end + 1).filter((f) => !(f.frame === 'text' && f.json.type === 'status'))
			};
		});
}

interface QueueItem {
	number: number;
	id: string;
	recorded: RecordedPrompt;
	clientId: string;
}

/** ComfyUI's queue behind msw: prompts wait until the test calls `runNext()` for the running one. */
class QueueReplay {
	readonly requests: string[] = [];
	readonly posts: Record<string, unknown>[] = [];
	readonly handlers: (HttpHandler | WebSocketHandler)[];
	readonly #recorded: RecordedPrompt[];
	readonly #clients = new Set<WsClient>();
	readonly #history = new Map<string, Record<string, unknown>>();
	#pending: QueueItem[] = [];
	#running: QueueItem | undefined;
	#number: number;

	constructor(transcript: Transcript, firstNumber: number) {
		this.#recorded = recordedPrompts(transcript);
		this.#number = firstNumber;
		const api = `${REPLAY_BASE}api`;
		const empty = () => new HttpResponse(null, { status: 200 });
		this.handlers = [
			ws
				.link(`${REPLAY_BASE.replace(/^http/, 'ws')}ws`)
				.addEventListener('connection', ({ client }) => this.#connect(client)),
			http.all(`${api}/*`, ({ request }) => {
				this.requests.push(`${request.method} ${new URL(request.url).pathname.slice(4)}`);
			}),
			http.post(`${api}/prompt`, async ({ request }) =>
				this.#post((await request.json()) as Record<string, unknown>)
			),
			http.get(`${api}/queue`, () => HttpResponse.json(this.#queue())),
			http.post(`${api}/queue`, async ({ request }) => {
				const body = (await request.json()) as { delete?: string[]; clear?: boolean };
				// Only pending prompts go: deleting the running one has no effect (recorded).
				if (body.clear) this.#pending = [];
				this.#pending = this.#pending.filter((item) => !body.delete?.includes(item.id));
				this.#status();
				return empty();
			}),
			http.post(`${api}/interrupt`, async ({ request }) => {
				const body = (await request.json()) as { prompt_id?: string };
				// A targeted interrupt of a prompt that is not running is ignored (h_interrupt).
				if (body.prompt_id && body.prompt_id !== this.#running?.id) return empty();
				throw new Error('the recording never interrupts the running prompt');
			}),
			http.get(`${api}/jobs/:id`, ({ params }) => this.#job(String(params.id))),
			http.get(`${api}/history/:id`, ({ params }) => {
				const entry = this.#history.get(String(params.id));
				return HttpResponse.json(entry ? { [String(params.id)]: entry } : {});
			}),
			http.post(`${api}/history`, async ({ request }) => {
				const body = (await request.json()) as { delete?: string[]; clear?: boolean };
				if (body.clear) this.#history.clear();
				for (const id of body.delete ?? []) this.#history.delete(id);
				return empty();
			})
		];
	}

	get running(): string | undefined {
		return this.#running?.id;
	}

	/** Plays the rest of the running prompt (history written before the final `executing`), then starts the next. */
	runNext(): void {
		const item = this.#running;
		if (!item) throw new Error('nothing is running');
		const frames = item.recorded.frames;
		const rest = frames.slice(frames.findIndex((f) => isNodeStart(f)) + 1);
		for (const frame of rest.slice(0, -1)) this.#send(item, frame);
		this.#history.set(item.id, this.#historyEntry(item));
		this.#running = undefined;
		this.#status();
		const done = rest.at(-1);
		if (done) this.#send(item, done);
		this.#start();
	}

	dropSockets(): void {
		for (const client of [...this.#clients]) client.close(4000, 'dropped by the test');
		this.#clients.clear();
	}

	#connect(client: WsClient) {
		this.#clients.add(client);
		client.addEventListener('close', () => this.#clients.delete(client));
		const remaining = this.#pending.length + (this.#running ? 1 : 0);
		client.send(
			JSON.stringify({
				type: 'status',
				data: { status: { exec_info: { queue_remaining: remaining } }, sid: clientIdOf(client) }
			})
		);
	}

	#post(body: Record<string, unknown>) {
		this.posts.push(body);
		const recorded = this.#recorded[this.posts.length - 1];
		if (!recorded) return HttpResponse.json({ error: 'the recording has no more prompts' }, { status: 500 });
		// ComfyUI: number = counter++, negated for `front` so the heap runs it next.
		const number = body.front === true ? -this.#number : this.#number;
		this.#number++;
		const id = String(body.prompt_id);
		this.#pending.push({ number, id, recorded, clientId: String(body.client_id) });
		this.#status();
		// The worker picks it up right after the answer (as recorded for P1 and P5).
		setTimeout(() => this.#start(), 0);
		return HttpResponse.json({ prompt_id: id, number, node_errors: {} });
	}

	/** Starts the next prompt and plays its frames up to its first node (`executing {node: "10"}`). */
	#start() {
		if (this.#running || !this.#pending.length) return;
		const next = [...this.#pending].sort((a, b) => a.number - b.number)[0];
		if (!next) return;
		this.#pending = this.#pending.filter((item) => item !== next);
		this.#running = next;
		const frames = next.recorded.frames;
		for (const frame of frames.slice(0, frames.findIndex((f) => isNodeStart(f)) + 1)) this.#send(next, frame);
		this.#status();
	}

	#send(item: QueueItem, frame: RecordedWs) {
		for (const client of this.#clients) {
			if (clientIdOf(client) !== item.clientId) continue;
			if (frame.frame === 'text')
				client.send(JSON.stringify(frame.json).replaceAll(item.recorded.recordedId, item.id));
			else client.send(binaryFrame(frame.binary));
		}
	}

	#status() {
		const remaining = this.#pending.length + (this.#running ? 1 : 0);
		const message = JSON.stringify({
			type: 'status',
			data: { status: { exec_info: { queue_remaining: remaining } } }
		});
		for (const client of this.#clients) client.send(message);
	}

	#queue(): Queue {
		const row = (item: QueueItem): Queue['queue_running'][number] => [
			item.number,
			item.id,
			item.recorded.prompt,
			{ client_id: item.clientId },
			['11']
		];
		// ComfyUI lists its heap as stored, which is not the order it runs in: this list is not sorted either.
		return {
			queue_running: this.#running ? [row(this.#running)] : [],
			queue_pending: this.#pending.map(row)
		};
	}

	#historyEntry(item: QueueItem): Record<string, unknown> {
		const outputs: Record<string, unknown> = {};
		const messages: [string, unknown][] = [];
		for (const frame of item.recorded.frames) {
			if (frame.frame !== 'text') continue;
			const json = JSON.parse(JSON.stringify(frame.json).replaceAll(item.recorded.recordedId, item.id)) as {
				type: string;
				data: { node?: string; output?: unknown };
			};
			if (json.type === 'executed' && json.data.node) outputs[json.data.node] = json.data.output;
			if (json.type.startsWith('execution_')) messages.push([json.type, json.data]);
		}
		return {
			prompt: [
				item.number,
				item.id,
				item.recorded.prompt,
				{ client_id: item.clientId },
				Object.keys(outputs)
			],
			outputs,
			status: { status_str: 'success', completed: true, messages },
			meta: {}
		};
	}

	#job(id: string) {
		const queued = [this.#running, ...this.#pending].find((item) => item?.id === id);
		if (queued) {
			return HttpResponse.json({
				id,
				status: queued === this.#running ? 'in_progress' : 'pending',
				priority: queued.number,
				outputs_count: 0
			});
		}
		const entry = this.#history.get(id) as { outputs: Record<string, unknown>; status: unknown } | undefined;
		if (!entry) return HttpResponse.json({ error: 'Job not found' }, { status: 404 });
		return HttpResponse.json({
			id,
			status: 'completed',
			outputs: entry.outputs,
			outputs_count: Object.keys(entry.outputs).length,
			execution_status: entry.status
		});
	}
}

function isNodeStart(frame: RecordedWs): boolean {
	return (
		frame.frame === 'text' &&
		frame.json.type === 'executing' &&
		typeof (frame.json.data as { node: unknown }).node === 'string'
	);
}

function clientIdOf(client: WsClient): string {
	return new URL(client.url).searchParams.get('clientId') ?? client.id;
}

// ------------------------------------------------------------------------------------------------------ the test

const TRANSCRIPT = loadTranscript('h2_queue_management');
const EXCHANGES = httpExchanges(TRANSCRIPT);
const PROMPTS = recordedPrompts(TRANSCRIPT);
const FIRST_NUMBER = (EXCHANGES.find((e) => e.label === 'P1')?.response.json as { number: number }).number;

const msw = startMsw();
let harness: ReplayHarness | undefined;
beforeEach(() =>
	vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
);
afterEach(async () => {
	await harness?.close();
	harness = undefined;
	vi.useRealTimers();
});
afterAll(() => msw.close());

/** Lets fake time pass until `check` holds (fails the test after a minute of fake time). */
async function until(what: string, check: () => boolean): Promise<void> {
	for (let i = 0; i < 2_400; i++) {
		if (check()) return;
		await vi.advanceTimersByTimeAsync(25);
	}
	throw new Error(`still waiting for ${what}`);
}

/** What a queue view shows: [number, prompt id] running, then pending in the order they will run. */
function queueView(queue: Queue) {
	const pair = (item: Queue['queue_running'][number]) => [item[0], item[1]];
	return {
		running: queue.queue_running.map(pair),
		pending: [...queue.queue_pending].sort((a, b) => a[0] - b[0]).map(pair)
	};
}

describe('h2_queue_management through the job tracker', () => {
	it('shows queue positions, ends removed and cleared jobs as cancelled, and keeps finished jobs through history deletes', async () => {
		const server = new QueueReplay(TRANSCRIPT, FIRST_NUMBER);
		harness = replay('h2_queue_management', { client: { autoConnect: false } });
		msw.resetHandlers(...server.handlers);
		const { client, store } = harness;
		client.socket.connect();
		await until('the socket to open', () => client.socket.state === 'open');

		// The UI's view of each job: its status, and its place in the queue while queued.
		const seen = new Map<string, string[]>();
		client.jobs.subscribe(({ job }) => {
			const state =
				job.status === 'queued' && job.position !== undefined ? `queued #${job.position}` : job.status;
			const list = seen.get(job.id) ?? [];
			if (list.at(-1) !== state) list.push(state);
			seen.set(job.id, list);
		});
		const ours = new Map<string, string>(); // label → our prompt id
		const recordedToOurs = (json: unknown) => {
			let out = JSON.stringify(json);
			for (const p of PROMPTS) out = out.replaceAll(p.recordedId, ours.get(p.label) ?? p.recordedId);
			return JSON.parse(out) as Queue;
		};
		const recordedQueue = (label: string) =>
			queueView(recordedToOurs(EXCHANGES.find((e) => e.label === label)?.response.json));
		const submit = async (label: string) => {
			const recorded = PROMPTS.find((p) => p.label === label);
			if (!recorded) throw new Error(`no ${label} in the recording`);
			const job = await client.jobs.submit({ workflow: recorded.prompt, front: recorded.front });
			ours.set(label, job.id);
			return job.id;
		};
		const job = (label: string): JobRecord | undefined => client.jobs.get(ours.get(label) ?? '');
		const jobChecks = (label: string) =>
			server.requests.filter((r) => r === `GET /jobs/${ours.get(label)}`).length;

		// P1 runs at once; P2 and P3 wait, in that order.
		const p1 = await submit('P1');
		await until('P1 to run', () => job('P1')?.status === 'running');
		await submit('P2');
		await submit('P3');
		await until('positions of P2 and P3', () => job('P2')?.position === 0 && job('P3')?.position === 1);
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('P1 running, P2+P3 pending'));

		// The queue view removes our pending P3 through the tracker (QueueState.remove → jobs.cancel).
		const p3 = await client.jobs.cancel(ours.get('P3') ?? '');
		expect(p3).toMatchObject({
			status: 'interrupted',
			cancelRequested: true,
			error: { kind: 'interrupted' }
		});
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('after delete'));
		const p3Checks = jobChecks('P3');

		// P4 goes in front of P2.
		await submit('P4');
		expect(job('P4')).toMatchObject({ front: true, number: -(FIRST_NUMBER + 3) });
		await until('P4 ahead of P2', () => job('P4')?.position === 0 && job('P2')?.position === 1);
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('P4 should be ahead of P2'));

		// Deleting the running prompt from the queue does nothing (recorded): P1 keeps running.
		await client.api.deleteFromQueue({ promptIds: [p1] });
		await vi.advanceTimersByTimeAsync(2_000);
		expect(job('P1')?.status).toBe('running');
		expect(server.running).toBe(p1);

		// P1 finishes, then P4 (front) runs before P2.
		server.runNext();
		await until(
			'P1 confirmed and P4 running',
			() => job('P1')?.status === 'succeeded' && job('P4')?.status === 'running'
		);
		await until('P2 next', () => job('P2')?.position === 0);
		server.runNext();
		await until(
			'P4 confirmed and P2 running',
			() => job('P4')?.status === 'succeeded' && job('P2')?.status === 'running'
		);
		server.runNext();
		await until('P2 confirmed', () => job('P2')?.status === 'succeeded');

		// P5 runs; P6 and P7 wait; the queue view clears the pending queue with its own API object, then asks the
		// tracker to reconcile (QueueState.clearPending).
		await submit('P5');
		await until('P5 to run', () => job('P5')?.status === 'running');
		await submit('P6');
		await submit('P7');
		await until('positions of P6 and P7', () => job('P6')?.position === 0 && job('P7')?.position === 1);
		const queuePage = createComfyApi({ baseUrl: REPLAY_BASE, retries: 0 });
		await queuePage.clearQueue();
		expect(queueView(await queuePage.getQueue())).toEqual(recordedQueue('after clear: P5 still running'));
		await client.jobs.reconcile();
		await until('P6 and P7 settled', () => ['P6', 'P7'].every((l) => job(l)?.status !== 'queued'));
		server.runNext();
		await until('P5 confirmed', () => job('P5')?.status === 'succeeded');

		for (const label of ['P6', 'P7']) {
			expect(job(label), label).toMatchObject({
				status: 'interrupted',
				error: { kind: 'interrupted', message: expect.stringContaining('removed from the server’s queue') }
			});
		}

		// Nothing more is asked about jobs that ended.
		const settledChecks = ['P3', 'P6', 'P7'].map(jobChecks);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(jobChecks('P3')).toBe(p3Checks);
		expect(['P3', 'P6', 'P7'].map(jobChecks)).toEqual(settledChecks);

		// History deleted, then cleared, on the server; then everything that makes the tracker look again.
		const before = server.requests.length;
		await queuePage.deleteHistory({ promptIds: [p1] });
		expect(await queuePage.getHistoryEntry({ promptId: p1 })).toBeUndefined();
		await queuePage.clearHistory();
		await client.jobs.reconcile();
		let reconnected = false;
		client.socket.subscribe((e) => (reconnected ||= e.type === 'connected' && e.reconnect));
		server.dropSockets();
		await until('the socket to reconnect', () => reconnected);
		await vi.advanceTimersByTimeAsync(30_000);
		const reloaded = harness.reload();
		reloaded.socket.connect();
		await reloaded.jobs.load();
		expect(server.requests.slice(before).filter((r) => r.startsWith('GET /jobs/'))).toEqual([]);

		const image = (label: string) => ({
			filename: `${label.replace('P', 'q')}_00001_.png`,
			subfolder: 'harness',
			type: 'output',
			nodeId: '11'
		});
		const expected: Record<string, { status: string; outputs: unknown[] }> = {
			P1: { status: 'succeeded', outputs: [image('P1')] },
			P2: { status: 'succeeded', outputs: [image('P2')] },
			P3: { status: 'interrupted', outputs: [] },
			P4: { status: 'succeeded', outputs: [image('P4')] },
			P5: { status: 'succeeded', outputs: [image('P5')] },
			P6: { status: 'interrupted', outputs: [] },
			P7: { status: 'interrupted', outputs: [] }
		};
		for (const [label, want] of Object.entries(expected)) {
			const id = ours.get(label) ?? '';
			expect(client.jobs.get(id), label).toMatchObject(want);
			expect(reloaded.jobs.get(id), `${label} after a reload`).toMatchObject(want);
			expect(await store.get(id), `${label} as stored`).toMatchObject(want);
		}
		expect(job('P5')?.progress).toMatchObject({ nodesDone: 2, nodesTotal: 2 });

		// What a UI subscribed to the tracker saw, job by job.
		const timeline = Object.fromEntries(PROMPTS.map((p) => [p.label, seen.get(ours.get(p.label) ?? '')]));
		expect(timeline).toEqual({
			P1: ['pending', 'queued', 'running', 'succeeded'],
			P2: ['pending', 'queued', 'queued #0', 'queued #1', 'queued #0', 'running', 'succeeded'],
			P3: ['pending', 'queued', 'queued #1', 'interrupted'],
			P4: ['pending', 'queued', 'queued #0', 'running', 'succeeded'],
			P5: ['pending', 'queued', 'running', 'succeeded'],
			P6: ['pending', 'queued', 'queued #0', 'interrupted'],
			P7: ['pending', 'queued', 'queued #1', 'interrupted']
		});
		expect(server.posts.map((p) => p.front === true)).toEqual(PROMPTS.map((p) => p.front));
	});
});
