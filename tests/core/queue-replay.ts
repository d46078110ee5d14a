/**
 * A stand-in for ComfyUI's queue behind msw, built from a recording (h2_queue_management): prompts are queued
 * with the recorded numbers (`front` gets a negative one), run one at a time when the test calls `runNext()`, and
 * each run plays its prompt's recorded frames.
 */
import { http, HttpResponse, ws, type HttpHandler, type WebSocketHandler } from 'msw';
import { REPLAY_BASE } from './replay-client';
import { binaryFrame, httpExchanges, wsFrames, type RecordedWs, type Transcript } from './transcripts';
import { sentJson } from '../transcript-format';
import type { ApiWorkflow, Queue } from '../../src/lib/comfy/schemas';

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

export function recordedPrompts(transcript: Transcript): RecordedPrompt[] {
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
export class QueueReplay {
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
