// The runs of a transcript, one prompt at a time: what the client got before and after the POST's answer, with
// the recorded delays and the history (built from the frames when it was not recorded). ReplayServer plays them.
import { httpExchanges, type RecordedWs, type Transcript } from './transcripts';
import { sentJson } from '../transcript-format';

/** One recorded run of a prompt. */
export interface RecordedRun {
	recordedId: string;
	prompt: Record<string, unknown>;
	number: number;
	response: Record<string, unknown>;
	/** Frames the client received before the POST's answer. */
	before: RecordedWs[];
	/** Frames after the answer, up to and including `executing {node: null}`. */
	after: RecordedWs[];
	/** Seconds between the answer and each `after` frame. */
	delays: number[];
	/** Seconds between the answer and the history being written. */
	finishAt: number;
	history: Record<string, unknown>;
	outputNodes: string[];
}

/** Splits a transcript into its runs (one prompt at a time; skips runs that never finished). */
export function recordedRuns(transcript: Transcript): RecordedRun[] {
	const posts = httpExchanges(transcript).filter(
		(e) => e.request.method === 'POST' && e.request.path === '/prompt' && e.response.status === 200
	);
	const runs: RecordedRun[] = [];
	let windowStart = 0;
	for (const post of posts) {
		const body = sentJson(post) as {
			prompt: Record<string, unknown>;
			client_id: string;
		};
		const answer = post.response.json as { prompt_id: string; number: number };
		const recordedId = answer.prompt_id;
		const conns = new Set(
			transcript.timeline.flatMap((e) =>
				e.kind === 'ws_open' && e.client_id === body.client_id ? [e.conn] : []
			)
		);
		const frames = transcript.timeline.filter(
			(e): e is RecordedWs => e.kind === 'ws' && conns.has(e.conn) && e.seq > windowStart
		);
		const endIndex = frames.findIndex(
			(f) =>
				f.frame === 'text' &&
				f.json.type === 'executing' &&
				(f.json.data as { node: unknown; prompt_id?: string }).node === null &&
				(f.json.data as { prompt_id?: string }).prompt_id === recordedId
		);
		const historyExchange = httpExchanges(transcript).find(
			(e) => e.request.path === `/history/${recordedId}`
		);
		// A run the client never heard end (k2: a deaf socket) still ends on the server: when its history was read.
		if (endIndex < 0 && !historyExchange) continue;
		const window = (
			endIndex < 0 ? frames.filter((f) => mentions(f, recordedId)) : frames.slice(0, endIndex + 1)
		).filter((f) => !(f.frame === 'text' && isConnectGreeting(f.json)));
		windowStart = endIndex < 0 ? windowStart : (frames[endIndex]?.seq ?? windowStart);
		const before = window.filter((f) => f.seq < post.seq);
		const after = window.filter((f) => f.seq > post.seq);
		const recordedHistory = (historyExchange?.response.json as Record<string, unknown> | undefined)?.[
			recordedId
		];
		runs.push({
			recordedId,
			prompt: body.prompt,
			number: answer.number,
			response: post.response.json as Record<string, unknown>,
			before,
			after,
			delays: after.map((f) => Math.max(0, f.t - post.t)),
			finishAt: Math.max(
				0,
				(endIndex < 0 ? (historyExchange?.t_start ?? post.t) : (after.at(-1)?.t ?? post.t)) - post.t
			),
			history:
				(recordedHistory as Record<string, unknown>) ??
				synthesizeHistory(recordedId, body, answer.number, window),
			outputNodes: []
		});
	}
	return runs;
}

function mentions(frame: RecordedWs, id: string): boolean {
	return frame.frame === 'text' && (frame.json.data as { prompt_id?: string } | null)?.prompt_id === id;
}

function isConnectGreeting(json: { type: string; data: unknown }): boolean {
	const data = json.data as { sid?: string; prompt_id?: string };
	return (
		(json.type === 'status' && typeof data.sid === 'string') ||
		(json.type === 'executing' && !('prompt_id' in data))
	);
}

/** A history entry built from the frames, for runs whose history was not recorded. */
function synthesizeHistory(
	id: string,
	body: { prompt: Record<string, unknown>; client_id: string },
	number: number,
	frames: RecordedWs[]
): Record<string, unknown> {
	const outputs: Record<string, unknown> = {};
	const messages: [string, unknown][] = [];
	let statusStr = 'success';
	for (const frame of frames) {
		if (frame.frame !== 'text') continue;
		const data = frame.json.data as { prompt_id?: string; node?: string; output?: unknown };
		if (data.prompt_id !== id) continue;
		if (frame.json.type === 'executed' && data.node) outputs[data.node] = data.output;
		if (frame.json.type.startsWith('execution_')) messages.push([frame.json.type, frame.json.data]);
		if (frame.json.type === 'execution_error' || frame.json.type === 'execution_interrupted')
			statusStr = 'error';
	}
	return {
		prompt: [number, id, body.prompt, { client_id: body.client_id }, Object.keys(outputs)],
		outputs,
		status: { status_str: statusStr, completed: statusStr === 'success', messages },
		meta: {}
	};
}
