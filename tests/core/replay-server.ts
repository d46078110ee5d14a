/**
 * A ComfyUI stand-in that replays recorded runs through msw (HTTP handlers and a `ws.link`), for tests of the
 * protocol core. Each POST /prompt starts the next recorded run of the transcript: the frames recorded before the
 * POST's answer are sent before answering (as on the wire), the rest follow on a compressed clock. The recorded
 * prompt id is replaced by the client's. Frames sent while no socket is connected are lost, like on the real
 * server; a reconnect gets `status` and, mid-run, `executing` without a prompt id (k_reconnect).
 *
 * Controls: drop the socket (now, or before frame N of a run), lose a POST's answer, restart (empty queue and
 * history), answer 500s.
 */
import { http, HttpResponse, ws, type HttpHandler, type WebSocketHandler } from 'msw';
import {
	binaryFrame,
	httpExchanges,
	recordedResponse,
	type RecordedBinarySummary,
	type RecordedHttp,
	type RecordedWs,
	type Transcript
} from './transcripts';
import { recordedRuns, type RecordedRun } from './recorded-runs';

export { recordedRuns, type RecordedRun } from './recorded-runs';

type WsClient = Parameters<Parameters<ReturnType<typeof ws.link>['addEventListener']>[1]>[0]['client'];

interface LiveRun {
	run: RecordedRun;
	id: string;
	clientId: string;
	started: boolean;
	finished: boolean;
	currentNode?: string;
	timers: ReturnType<typeof setTimeout>[];
}

export interface ReplayServerOptions {
	baseUrl: string;
	transcript: Transcript;
	/** Seconds of recording → ms of replay (default 20: a 3 s run takes 60 ms). */
	msPerSecond?: number;
	/** Size written into /view PNGs. */
	imageSize?: { width: number; height: number };
}

export class ReplayServer {
	readonly runs: RecordedRun[];
	readonly handlers: (HttpHandler | WebSocketHandler)[];
	/** Every POST /prompt body received. */
	readonly posts: Record<string, unknown>[] = [];
	/** Requests seen, as `METHOD /path`. */
	readonly requests: string[] = [];
	readonly #live = new Map<string, LiveRun>();
	readonly #order: string[] = [];
	readonly #clients = new Set<WsClient>();
	readonly #options: Required<Omit<ReplayServerOptions, 'imageSize'>> & {
		imageSize: { width: number; height: number };
	};
	#nextRun = 0;
	#dropBeforeFrame: number | undefined;
	#loseNextAnswer = false;
	#failNext = 0;

	constructor(options: ReplayServerOptions) {
		this.#options = { msPerSecond: 20, imageSize: { width: 64, height: 48 }, ...options };
		this.runs = recordedRuns(options.transcript);
		const base = options.baseUrl;
		const wsUrl = `${base.replace(/^http/, 'ws')}ws`;
		const link = ws.link(wsUrl);
		this.handlers = [
			link.addEventListener('connection', ({ client }) => this.#onConnection(client)),
			http.all(`${base}api/*`, ({ request }) => {
				const url = new URL(request.url);
				this.requests.push(`${request.method} ${url.pathname.slice(new URL(base).pathname.length - 1)}`);
				if (this.#failNext > 0) {
					this.#failNext--;
					return new HttpResponse('500 Internal Server Error\n\nServer got itself in trouble', {
						status: 500
					});
				}
				return undefined;
			}),
			http.post(`${base}api/prompt`, async ({ request }) =>
				this.#onPost((await request.json()) as Record<string, unknown>)
			),
			http.get(`${base}api/jobs/:id`, ({ params }) => this.#onJob(String(params.id))),
			http.get(`${base}api/history/:id`, ({ params }) => {
				const live = this.#live.get(String(params.id));
				return HttpResponse.json(live?.finished ? { [live.id]: this.#historyOf(live) } : {});
			}),
			http.get(`${base}api/queue`, () => HttpResponse.json(this.#queue())),
			http.post(`${base}api/queue`, () => new HttpResponse(null, { status: 200 })),
			http.post(`${base}api/interrupt`, () => new HttpResponse(null, { status: 200 })),
			http.get(`${base}api/view`, ({ request }) => {
				// A file that is not a PNG is answered as recorded (its content type and first bytes, m_media); PNGs get
				// a full header of the configured size, which the recordings do not keep.
				const query = new URL(request.url).searchParams;
				const sameQuery = (recorded: Record<string, string> | null) =>
					!!recorded &&
					[...query.keys()].length === Object.keys(recorded).length &&
					Object.entries(recorded).every(([key, value]) => query.get(key) === value);
				const recorded = httpExchanges(options.transcript).find(
					(e) =>
						e.request.path === '/view' &&
						e.response.status === 200 &&
						!e.request.headers.Range &&
						sameQuery(e.request.query) &&
						e.response.headers['Content-Type'] !== 'image/png'
				);
				if (recorded) return recordedResponse(recorded);
				return new HttpResponse(pngHeader(this.#options.imageSize), {
					headers: { 'Content-Type': 'image/png' }
				});
			})
		];
	}

	// ---------------------------------------------------------------------------------------------- controls

	/** Closes every socket now, as a network cut would. */
	dropSockets(): void {
		for (const client of [...this.#clients]) client.close(4000, 'dropped by the test');
		this.#clients.clear();
	}

	/** Drops the socket right before frame `index` of the next run's `after` frames (that frame is lost). */
	dropBeforeFrame(index: number): void {
		this.#dropBeforeFrame = index;
	}

	/** The next POST is accepted (the run starts) but its answer never arrives. */
	loseNextAnswer(): void {
		this.#loseNextAnswer = true;
	}

	/** The next `count` API calls answer 500. */
	failNext(count: number): void {
		this.#failNext = count;
	}

	/** A server restart: queue and history are gone, sockets drop, nothing more is sent. */
	restart(): void {
		for (const live of this.#live.values()) for (const timer of live.timers) clearTimeout(timer);
		this.#live.clear();
		this.#order.length = 0;
		this.dropSockets();
	}

	/** Stops every pending frame. */
	close(): void {
		for (const live of this.#live.values()) for (const timer of live.timers) clearTimeout(timer);
	}

	get connectedClients(): number {
		return this.#clients.size;
	}

	/** How many runs finished (history written). */
	get finishedRuns(): number {
		return [...this.#live.values()].filter((l) => l.finished).length;
	}

	// ---------------------------------------------------------------------------------------------- internals

	#onConnection(client: WsClient) {
		const clientId = new URL(client.url).searchParams.get('clientId') ?? client.id;
		this.#clients.add(client);
		client.addEventListener('close', () => this.#clients.delete(client));
		client.addEventListener('message', () => {
			// The feature_flags handshake: answer like ComfyUI does.
		});
		const remaining = [...this.#live.values()].filter((l) => !l.finished).length;
		client.send(
			JSON.stringify({
				type: 'status',
				data: { status: { exec_info: { queue_remaining: remaining } }, sid: clientId }
			})
		);
		const running = [...this.#live.values()].find((l) => l.started && !l.finished && l.clientId === clientId);
		if (running?.currentNode)
			client.send(JSON.stringify({ type: 'executing', data: { node: running.currentNode } }));
	}

	#onPost(body: Record<string, unknown>) {
		this.posts.push(body);
		const run = this.runs[this.#nextRun++];
		if (!run) return HttpResponse.json({ error: 'the replay has no more runs' }, { status: 500 });
		const id = typeof body.prompt_id === 'string' ? body.prompt_id : crypto.randomUUID();
		const live: LiveRun = {
			run,
			id,
			clientId: String(body.client_id ?? ''),
			started: false,
			finished: false,
			timers: []
		};
		this.#live.set(id, live);
		this.#order.push(id);
		for (const frame of run.before) this.#send(live, frame);
		for (const [i, delay] of run.delays.entries()) {
			live.timers.push(setTimeout(() => this.#sendAfter(live, i), delay * this.#options.msPerSecond));
		}
		if (!endsWithDoneSignal(run)) {
			live.timers.push(setTimeout(() => (live.finished = true), run.finishAt * this.#options.msPerSecond));
		}
		if (this.#loseNextAnswer) {
			this.#loseNextAnswer = false;
			return HttpResponse.error();
		}
		return HttpResponse.json({ ...run.response, prompt_id: id });
	}

	#sendAfter(live: LiveRun, index: number) {
		const frame = live.run.after[index];
		if (!frame) return;
		if (this.#dropBeforeFrame === index) {
			this.#dropBeforeFrame = undefined;
			this.dropSockets();
		}
		if (index === live.run.after.length - 1 && endsWithDoneSignal(live.run)) live.finished = true;
		this.#send(live, frame);
	}

	#send(live: LiveRun, frame: RecordedWs) {
		const text =
			frame.frame === 'text'
				? JSON.stringify(frame.json).replaceAll(live.run.recordedId, live.id)
				: undefined;
		if (frame.frame === 'text') {
			const data = frame.json.data as { node?: string | null; prompt_id?: string };
			if (frame.json.type === 'execution_start' && data.prompt_id === live.run.recordedId)
				live.started = true;
			if (frame.json.type === 'executing' && data.prompt_id === live.run.recordedId)
				live.currentNode = data.node ?? undefined;
		}
		for (const client of this.#clients) {
			if (new URL(client.url).searchParams.get('clientId') !== live.clientId && !isBroadcast(frame)) continue;
			if (text !== undefined) client.send(text);
			else if (frame.frame === 'binary') client.send(binaryFrame(replaceInMetadata(frame.binary, live)));
		}
	}

	#historyOf(live: LiveRun): Record<string, unknown> {
		return JSON.parse(JSON.stringify(live.run.history).replaceAll(live.run.recordedId, live.id)) as Record<
			string,
			unknown
		>;
	}

	#onJob(id: string) {
		const live = this.#live.get(id);
		if (!live) return HttpResponse.json({ error: 'Job not found' }, { status: 404 });
		if (!live.finished) {
			return HttpResponse.json({
				id,
				status: live.started ? 'in_progress' : 'pending',
				priority: live.run.number
			});
		}
		const history = this.#historyOf(live) as {
			outputs?: unknown;
			status?: { status_str?: string; messages?: unknown[] };
		};
		const success = history.status?.status_str === 'success';
		// As ComfyUI 0.8 answers (b_success): the run's start and end on the server's clock, from its messages.
		const stamp = (...types: string[]) => {
			for (const message of history.status?.messages ?? []) {
				const [type, data] = message as [string, { timestamp?: unknown }];
				if (types.includes(type) && typeof data.timestamp === 'number') return data.timestamp;
			}
			return undefined;
		};
		return HttpResponse.json({
			id,
			status: success ? 'completed' : 'failed',
			priority: live.run.number,
			outputs: history.outputs ?? {},
			execution_status: history.status,
			execution_start_time: stamp('execution_start'),
			execution_end_time: stamp('execution_success', 'execution_error', 'execution_interrupted')
		});
	}

	#queue() {
		const unfinished = this.#order
			.map((id) => this.#live.get(id))
			.filter((l): l is LiveRun => !!l && !l.finished);
		const item = (l: LiveRun) => [l.run.number, l.id, l.run.prompt, { client_id: l.clientId }, []];
		const [running, ...pending] = unfinished;
		return { queue_running: running ? [item(running)] : [], queue_pending: pending.map(item) };
	}
}

function endsWithDoneSignal(run: RecordedRun): boolean {
	const last = run.after.at(-1);
	return (
		last?.frame === 'text' &&
		last.json.type === 'executing' &&
		(last.json.data as { node: unknown }).node === null
	);
}

function isBroadcast(frame: RecordedWs): boolean {
	// `status` and progress text (event 3) go to every socket.
	return (
		(frame.frame === 'text' && frame.json.type === 'status') ||
		(frame.frame === 'binary' && frame.binary.u32_0_event_type === 3)
	);
}

function replaceInMetadata(summary: RecordedBinarySummary, live: LiveRun): RecordedBinarySummary {
	if (!summary.metadata) return summary;
	return { ...summary, metadata: { ...summary.metadata, prompt_id: live.id } };
}

/** The first bytes of a PNG of the given size (enough for a size reader). */
export function pngHeader(size: { width: number; height: number }): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(33);
	bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
	const view = new DataView(bytes.buffer);
	view.setUint32(16, size.width);
	view.setUint32(20, size.height);
	return bytes;
}

export type { RecordedHttp };
