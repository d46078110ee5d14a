// Replays a transcript's client side (HTTP requests, socket opens/sends/closes) against a server, with the
// recorded pacing compressed by a time scale. Before each action it also waits until every open socket has
// received as many frames as were recorded before that action, so replies line up with the recording even
// when the server is slower or faster than the real one.
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { createImage, encodePng, fillImage } from '../image';
import type { RecordedFrame, RecordedHttp, RequestBody, Transcript, TimelineEntry } from './transcript';

export interface ReplayedHttp {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

export interface ReplayedFrame {
	text?: string;
	binary?: Buffer;
}

export interface ReplayedConn {
	openStatus: number;
	frames: ReplayedFrame[];
}

export interface Replay {
	http: ReplayedHttp[];
	conns: Map<string, ReplayedConn>;
}

type Action = Exclude<TimelineEntry, { kind: 'ws' } | { kind: 'note' }>;

function startOf(entry: TimelineEntry): number {
	return entry.kind === 'http' ? entry.t_start : entry.t;
}

/** Rewrites the recorded server port (8188) to the replay server's. */
function rewriteHeaders(headers: Record<string, string>, port: number): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(headers)) {
		if (
			['user-agent', 'accept-encoding', 'accept', 'connection', 'content-length'].includes(key.toLowerCase())
		)
			continue;
		out[key] = value.replace(/:8188\b/, `:${port}`);
	}
	return out;
}

// Uploads are recorded by length and first bytes only: re-create small files of the same kind.
function uploadBytes(
	file: { filename: string; content_type: string; head_hex: string },
	variant: boolean,
	size: { width: number; height: number } = { width: 8, height: 6 }
): Buffer {
	if (file.content_type.startsWith('image/')) {
		const color: [number, number, number] = variant ? [0.9, 0.2, 0.1] : [0.1, 0.4, 0.8];
		return encodePng(fillImage(createImage(1, size.height, size.width), () => color));
	}
	return Buffer.from(file.head_hex, 'hex');
}

/** Recorded prompt ids → the ids the replayed server gave the same prompts. */
type IdMap = Map<string, string>;

function mapIds(text: string, ids: IdMap): string {
	let out = text;
	for (const [recorded, replayed] of ids) out = out.replaceAll(recorded, replayed);
	return out;
}

/**
 * The recording keeps only the first bytes of an uploaded picture; its size shows in a later /view of the file
 * (or, for a mask's base picture, of the merged mask, which keeps the base's size: n_mask_upload).
 */
function uploadSize(timeline: TimelineEntry[], name: string): { width: number; height: number } | undefined {
	const http = timeline.filter((e): e is RecordedHttp => e.kind === 'http');
	const viewed = (filename: string) =>
		http.find((e) => e.request.path === '/view' && e.request.sent_path.includes(`filename=${filename}&`))
			?.response.binary?.image;
	const direct = viewed(name);
	if (direct) return direct;
	for (const e of http) {
		const body = e.request.body;
		const ref = body && 'multipart_fields' in body ? body.multipart_fields?.['original_ref'] : undefined;
		const answer = e.response.json as { name?: unknown } | undefined;
		if (!ref || typeof answer?.name !== 'string') continue;
		if ((JSON.parse(ref) as { filename?: unknown }).filename === name) return viewed(answer.name);
	}
	return undefined;
}

function encodeBody(
	entry: RecordedHttp,
	ids: IdMap,
	timeline: TimelineEntry[]
): { body: Buffer | null; contentType: string | null } {
	const body: RequestBody | null = entry.request.body;
	if (!body) return { body: null, contentType: null };
	if ('json' in body) {
		return { body: Buffer.from(mapIds(JSON.stringify(body.json), ids)), contentType: 'application/json' };
	}
	if ('raw_text' in body) return { body: Buffer.from(body.raw_text), contentType: 'application/json' };
	if ('form' in body) {
		return {
			body: Buffer.from(new URLSearchParams(body.form).toString()),
			contentType: 'application/x-www-form-urlencoded'
		};
	}
	const boundary = 'simulatorconformance0123456789';
	const parts: Buffer[] = [];
	const variant = /different/i.test(entry.label ?? '');
	for (const file of body.multipart_files) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.content_type}\r\n\r\n`
			),
			uploadBytes(file, variant, uploadSize(timeline, file.filename)),
			Buffer.from('\r\n')
		);
	}
	for (const [name, value] of Object.entries(body.multipart_fields ?? {})) {
		parts.push(
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
		);
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function send(
	port: number,
	entry: RecordedHttp,
	ids: IdMap,
	timeline: TimelineEntry[]
): Promise<ReplayedHttp> {
	const { body, contentType } = encodeBody(entry, ids, timeline);
	const headers = rewriteHeaders(entry.request.headers, port);
	if (contentType && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
		headers['Content-Type'] = contentType;
	if (contentType?.startsWith('multipart/')) headers['Content-Type'] = contentType;
	if (body) headers['Content-Length'] = String(body.length);
	return new Promise((resolve, reject) => {
		const req = request(
			{
				host: '127.0.0.1',
				port,
				method: entry.request.method,
				path: mapIds(entry.request.sent_path, ids),
				headers,
				setHost: !('Host' in headers)
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const out: Record<string, string> = {};
					for (const [key, value] of Object.entries(res.headers))
						if (typeof value === 'string') out[key] = value;
					resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
				});
			}
		);
		req.on('error', reject);
		req.end(body ?? undefined);
	});
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

/** `[node, filename]` for every file an `executed` message lists. */
function outputFiles(message: unknown): Array<[string, string]> {
	const m = message as { type?: unknown; data?: { node?: unknown; output?: unknown } } | null;
	const output = m?.data?.output;
	if (m?.type !== 'executed' || typeof output !== 'object' || output === null) return [];
	// Every list of files (`images`, `audio`, a custom node's key), not only images: PreviewAudio's temp names
	// are random too.
	return Object.values(output as Record<string, unknown>)
		.flatMap((list) => (Array.isArray(list) ? (list as Array<{ filename?: unknown } | null>) : []))
		.filter((file) => typeof file?.filename === 'string')
		.map((file) => [String(m.data?.node), file?.filename as string]);
}

const PROGRESS = new Set(['progress_state', 'progress', 'binary:1', 'binary:4']);
const isProgress = (type: string) => PROGRESS.has(type);

export function recordedType(frame: RecordedFrame): string {
	return frame.frame === 'text'
		? (frame.json?.type ?? '?')
		: `binary:${frame.binary?.u32_0_event_type ?? '?'}`;
}

export function replayedType(frame: ReplayedFrame): string {
	if (frame.binary) return `binary:${frame.binary.length >= 4 ? frame.binary.readUInt32BE(0) : '?'}`;
	const message = safeJson(frame.text ?? '') as { type?: unknown } | null;
	return typeof message?.type === 'string' ? message.type : 'text:invalid';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Replays one transcript against `127.0.0.1:port`. */
export async function replay(
	transcript: Transcript,
	options: { port: number; timeScale: number; frameTimeoutMs?: number }
): Promise<Replay> {
	const { port, timeScale } = options;
	const timeline = [...transcript.timeline].sort((a, b) => a.seq - b.seq);
	const actions = timeline
		.filter(
			(e): e is Action =>
				e.kind === 'http' ||
				e.kind === 'ws_open' ||
				e.kind === 'ws_send' ||
				(e.kind === 'ws_close' && e.by === 'client')
		)
		.sort((a, b) => startOf(a) - startOf(b) || a.seq - b.seq);
	const frames = timeline.filter((e) => e.kind === 'ws');
	const result: Replay = { http: [], conns: new Map() };
	const sockets = new Map<string, { ws: WebSocket; closed: Promise<void>; open: boolean }>();
	const wakers = new Set<() => void>();
	const begin = Date.now();
	const ids: IdMap = new Map();

	const waitForFrames = async (before: number) => {
		const deadline = Date.now() + (options.frameTimeoutMs ?? 10_000);
		for (;;) {
			const missing = [...sockets.entries()].some(([conn, socket]) => {
				if (!socket.open) return false;
				// All non-progress messages recorded before the action must have arrived, and as many progress
				// messages after the last of them as were recorded; earlier progress counts depend on timing.
				const recorded = frames.filter((f) => f.kind === 'ws' && f.conn === conn && f.t < before);
				const recordedKinds = recorded.map((f) => (f.kind === 'ws' ? isProgress(recordedType(f)) : true));
				const expected = recordedKinds.filter((p) => !p).length;
				const trailingExpected = recordedKinds.length - 1 - recordedKinds.lastIndexOf(false);
				const got = (result.conns.get(conn)?.frames ?? []).map((f) => isProgress(replayedType(f)));
				const received = got.filter((p) => !p).length;
				if (received !== expected) return received < expected;
				return got.length - 1 - got.lastIndexOf(false) < trailingExpected;
			});
			if (!missing || Date.now() > deadline) return;
			await new Promise<void>((resolve) => {
				const wake = () => {
					wakers.delete(wake);
					resolve();
				};
				wakers.add(wake);
				setTimeout(wake, 20);
			});
		}
	};

	// Output file names can differ (PreviewImage's random prefix): map the recorded executed outputs to the
	// replayed ones, node by node, so later /view requests ask for the replayed files.
	const mapFiles = () => {
		for (const [conn, replayedConn] of result.conns) {
			const recordedFiles = frames.flatMap((f) =>
				f.kind === 'ws' && f.conn === conn ? outputFiles(f.json) : []
			);
			const replayedFiles = replayedConn.frames.flatMap((f) => (f.text ? outputFiles(safeJson(f.text)) : []));
			const used = new Map<string, number>();
			for (const [node, name] of recordedFiles) {
				const k = used.get(node) ?? 0;
				used.set(node, k + 1);
				const match = replayedFiles.filter(([n]) => n === node)[k];
				if (match && match[1] !== name) ids.set(name, match[1]);
			}
		}
	};

	for (const action of actions) {
		const start = startOf(action);
		await waitForFrames(start);
		await sleep(begin + start * 1000 * timeScale - Date.now());
		if (action.kind === 'http') {
			mapFiles();
			const reply = await send(port, action, ids, timeline);
			result.http.push(reply);
			const recordedId = (action.response.json as { prompt_id?: unknown } | undefined)?.prompt_id;
			if (typeof recordedId === 'string' && reply.status === 200) {
				try {
					const replayedId = (JSON.parse(reply.body.toString()) as { prompt_id?: unknown }).prompt_id;
					if (typeof replayedId === 'string') ids.set(recordedId, replayedId);
				} catch {
					// not JSON: nothing to map
				}
			}
		} else if (action.kind === 'ws_open') {
			const conn: ReplayedConn = { openStatus: 0, frames: [] };
			result.conns.set(action.conn, conn);
			const headers = rewriteHeaders(action.request_headers, port);
			delete headers['Host'];
			const ws = new WebSocket(`ws://127.0.0.1:${port}${action.url_path}`, { headers });
			ws.on('message', (data: Buffer, isBinary) => {
				conn.frames.push(isBinary ? { binary: data } : { text: data.toString() });
				for (const wake of [...wakers]) wake();
			});
			const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
			const socket = { ws, closed, open: false };
			sockets.set(action.conn, socket);
			conn.openStatus = await new Promise<number>((resolve) => {
				ws.once('open', () => resolve(101));
				ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
				ws.once('error', () => resolve(0));
			});
			socket.open = conn.openStatus === 101;
		} else if (action.kind === 'ws_send') {
			const socket = sockets.get(action.conn);
			socket?.ws.send(action.text ?? JSON.stringify(action.json));
		} else {
			const socket = sockets.get(action.conn);
			if (socket?.open) {
				socket.open = false;
				socket.ws.close(1000);
				await socket.closed;
			}
		}
	}
	for (const socket of sockets.values()) {
		if (socket.ws.readyState === socket.ws.OPEN) socket.ws.close(1000);
	}
	return result;
}
