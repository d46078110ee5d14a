// Compares a replay with its recording: HTTP status, content type, CORS headers and body shapes (keys and
// value types, ids masked), and per socket the sequence of message types, the shape of every text frame and
// the headers and image sizes of binary frames. Returns human-readable differences (empty = conformant).
import { recordedType, replayedType, type Replay, type ReplayedConn } from './replay';
import type { RecordedBinary, RecordedFrame, RecordedHttp, RecordedOpen, Transcript } from './transcript';

/**
 * exact: same message types in the same order. milestones: progress messages and previews may differ in
 * number (timing-dependent scenarios: interrupts, reconnects); everything else in order. unordered: the same
 * messages but independent output nodes may run in another order (ComfyUI orders them by a Python set).
 */
export type Mode = 'exact' | 'milestones' | 'unordered';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_ID = /^[0-9a-f]{32}$/;

// Prompt ids, socket ids and node ids are masked as keys: by position, so two different node ids in the same
// place compare equal but the number of keys still counts.
function isIdKey(key: string): boolean {
	return UUID.test(key) || HEX_ID.test(key) || /^\d+(:\d+)*$/.test(key);
}

function maskKeys(object: Record<string, unknown>): Map<string, unknown> {
	let n = 0;
	return new Map(Object.entries(object).map(([k, v]) => [isIdKey(k) ? `<id#${n++}>` : k, v]));
}

function kind(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/** Differences in shape (keys and value types) between a recorded and a replayed JSON value. */
export function shapeDiff(recorded: unknown, replayed: unknown, path = '$'): string[] {
	const a = kind(recorded);
	const b = kind(replayed);
	if (a !== b) return [`${path}: ${a} recorded, ${b} replayed`];
	if (a === 'array') {
		const ra = recorded as unknown[];
		const rb = replayed as unknown[];
		const out =
			ra.length !== rb.length ? [`${path}: ${ra.length} items recorded, ${rb.length} replayed`] : [];
		for (let i = 0; i < Math.min(ra.length, rb.length); i++)
			out.push(...shapeDiff(ra[i], rb[i], `${path}[${i}]`));
		return out;
	}
	if (a === 'object') {
		const ra = recorded as Record<string, unknown>;
		const rb = replayed as Record<string, unknown>;
		const ma = maskKeys(ra);
		const mb = maskKeys(rb);
		const out: string[] = [];
		for (const key of ma.keys()) if (!mb.has(key)) out.push(`${path}.${key}: missing`);
		for (const key of mb.keys()) if (!ma.has(key)) out.push(`${path}.${key}: unexpected`);
		for (const [key, value] of ma)
			if (mb.has(key)) out.push(...shapeDiff(value, mb.get(key), `${path}.${key}`));
		return out;
	}
	return [];
}

/** Format and size of PNG, JPEG or WebP bytes. */
export function imageInfo(bytes: Buffer): { format: string; width: number; height: number } | null {
	if (bytes.length > 24 && bytes.readUInt32BE(0) === 0x89504e47) {
		return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
		let offset = 2;
		while (offset + 9 < bytes.length) {
			if (bytes[offset] !== 0xff) return null;
			const marker = bytes[offset + 1] ?? 0;
			const length = bytes.readUInt16BE(offset + 2);
			if (marker >= 0xc0 && marker <= 0xc3) {
				return {
					format: 'jpeg',
					height: bytes.readUInt16BE(offset + 5),
					width: bytes.readUInt16BE(offset + 7)
				};
			}
			offset += 2 + length;
		}
		return null;
	}
	if (
		bytes.length > 25 &&
		bytes.toString('latin1', 8, 12) === 'WEBP' &&
		bytes.toString('latin1', 12, 16) === 'VP8L'
	) {
		const bits = bytes.readUInt32LE(21);
		return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	// Extended WebP (animated): the canvas size, 24-bit little-endian minus one.
	if (bytes.length > 30 && bytes.toString('latin1', 8, 16) === 'WEBPVP8X') {
		return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	}
	return null;
}

function header(headers: Record<string, string>, name: string): string | undefined {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : headers[key];
}

const CORS = [
	'Access-Control-Allow-Origin',
	'Access-Control-Allow-Methods',
	'Access-Control-Allow-Headers',
	'Access-Control-Allow-Credentials'
];

function summaryDiff(summary: Record<string, unknown>, body: unknown): string[] {
	const out: string[] = [];
	const object = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
	const keys = Object.keys(object);
	for (const [key, value] of Object.entries(summary)) {
		if (key === 'node_count' && keys.length !== value)
			out.push(`node_count: ${String(value)} recorded, ${keys.length} replayed`);
		if (
			key === 'first_keys' &&
			JSON.stringify(keys.slice(0, (value as unknown[]).length)) !== JSON.stringify(value)
		) {
			out.push('first_keys differ');
		}
		if (key === 'test_nodes_present')
			for (const name of value as string[]) if (!(name in object)) out.push(`${name} missing`);
		if (key === 'category_count') {
			const categories = new Set(
				Object.values(object).map((d) => (d as Record<string, unknown>)['category'])
			);
			if (categories.size !== value)
				out.push(`category_count: ${String(value)} recorded, ${categories.size} replayed`);
		}
		if (key === 'count' && keys.length !== value)
			out.push(`count: ${String(value)} recorded, ${keys.length} replayed`);
		if (key === 'keys' && JSON.stringify(keys) !== JSON.stringify(value)) out.push('keys differ');
		if (key === 'length' && (!Array.isArray(body) || body.length !== value)) out.push('length differs');
		if (key === 'image_options') {
			const options = (object['LoadImage'] as { input: { required: { image: unknown } } } | undefined)?.input
				.required.image;
			if (JSON.stringify(options) !== JSON.stringify(value))
				out.push(`image_options: ${JSON.stringify(options)} replayed`);
		}
		if (UUID.test(key)) {
			const entry = Object.values(object)[0] as Record<string, unknown> | undefined;
			out.push(...shapeDiff(value, entry?.['status'], `$.<id#0>.status`));
		}
	}
	return out;
}

function httpDiff(
	recorded: RecordedHttp,
	replayed: { status: number; headers: Record<string, string>; body: Buffer }
): string[] {
	const out: string[] = [];
	const rec = recorded.response;
	if (rec.status !== replayed.status) out.push(`status ${rec.status} recorded, ${replayed.status} replayed`);
	const ct = header(rec.headers, 'Content-Type');
	const ctReplayed = header(replayed.headers, 'Content-Type');
	if (ct !== ctReplayed) out.push(`Content-Type ${String(ct)} recorded, ${String(ctReplayed)} replayed`);
	for (const name of [...CORS, 'Content-Disposition']) {
		const a = header(rec.headers, name);
		const b = header(replayed.headers, name);
		if (name === 'Content-Disposition' ? (a === undefined) !== (b === undefined) : a !== b) {
			out.push(`${name} ${String(a)} recorded, ${String(b)} replayed`);
		}
	}
	if (rec.body_kind === 'empty' && replayed.body.length > 0)
		out.push(`empty body recorded, ${replayed.body.length} bytes replayed`);
	if (rec.body_kind === 'text' && replayed.body.toString() !== rec.text) out.push('text body differs');
	if (rec.body_kind === 'json') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(replayed.body.toString());
		} catch {
			return [...out, 'JSON body recorded, replayed body is not JSON'];
		}
		if ('json' in rec) out.push(...shapeDiff(rec.json, parsed));
		else if (rec.json_summary) out.push(...summaryDiff(rec.json_summary, parsed));
	}
	if (rec.body_kind === 'binary' && rec.binary?.image) {
		const info = imageInfo(replayed.body);
		const image = rec.binary.image;
		if (
			!info ||
			info.format !== image.sniffed ||
			info.width !== image.width ||
			info.height !== image.height
		) {
			out.push(
				`image ${image.sniffed} ${image.width}x${image.height} recorded, ${JSON.stringify(info)} replayed`
			);
		}
	}
	// Video and audio are the real server's own files (tests/fixtures/comfyui/media): same bytes, same ranges.
	if (rec.body_kind === 'binary' && /^(video|audio)\//.test(rec.binary?.content_type ?? '')) {
		const head = replayed.body.subarray(0, (rec.binary?.head_hex?.length ?? 0) / 2).toString('hex');
		if (replayed.body.length !== rec.binary?.length || head !== rec.binary.head_hex) {
			out.push(
				`${rec.binary?.length} bytes ${rec.binary?.head_hex}… recorded, ${replayed.body.length} bytes ${head}… replayed`
			);
		}
		for (const name of ['Accept-Ranges', 'Content-Range']) {
			if (header(rec.headers, name) !== header(replayed.headers, name))
				out.push(
					`${name} ${String(header(rec.headers, name))} recorded, ${String(header(replayed.headers, name))} replayed`
				);
		}
	}
	return out.map((d) => `${recorded.request.method} ${recorded.request.sent_path}: ${d}`);
}

function binaryDiff(recorded: RecordedBinary, bytes: Buffer): string[] {
	const out: string[] = [];
	const event = recorded.u32_0_event_type;
	const second = bytes.length >= 8 ? bytes.readUInt32BE(4) : -1;
	if (second !== recorded.u32_1)
		out.push(`event ${event} header word ${recorded.u32_1} recorded, ${second} replayed`);
	let image: Buffer | null = null;
	if (event === 1) image = bytes.subarray(8);
	if (event === 4 && second >= 0) {
		image = bytes.subarray(8 + second);
		try {
			const metadata = JSON.parse(bytes.subarray(8, 8 + second).toString()) as unknown;
			out.push(...shapeDiff(recorded.metadata, metadata, 'metadata'));
		} catch {
			out.push('event 4 metadata is not JSON');
		}
	}
	if (event === 3 && recorded.text !== undefined && bytes.subarray(8 + second).toString() !== recorded.text) {
		out.push('progress text differs');
	}
	if (image && recorded.image) {
		const info = imageInfo(image);
		const rec = recorded.image;
		if (!info || info.format !== rec.sniffed || info.width !== rec.width || info.height !== rec.height) {
			out.push(
				`preview ${rec.sniffed} ${rec.width}x${rec.height} recorded, ${JSON.stringify(info)} replayed`
			);
		}
	}
	return out;
}

function frameDiff(
	label: string,
	recorded: RecordedFrame | undefined,
	replayed: { text?: string; binary?: Buffer } | undefined
): string[] {
	if (!recorded || !replayed) return [`${label}: no matching frame`];
	if (recorded.frame === 'text' && replayed.text !== undefined)
		return shapeDiff(recorded.json, JSON.parse(replayed.text), label);
	if (recorded.binary && replayed.binary)
		return binaryDiff(recorded.binary, replayed.binary).map((d) => `${label}: ${d}`);
	return [`${label}: frame kind differs`];
}

const PROGRESSISH = new Set(['progress_state', 'progress', 'binary:1', 'binary:4']);
const RUN_LEVEL = new Set([
	'status',
	'execution_start',
	'execution_cached',
	'execution_success',
	'execution_error',
	'execution_interrupted'
]);

function count(types: string[]): Map<string, number> {
	const map = new Map<string, number>();
	for (const type of types) map.set(type, (map.get(type) ?? 0) + 1);
	return map;
}

function connDiff(name: string, recorded: RecordedFrame[], replayed: ReplayedConn, mode: Mode): string[] {
	const a = recorded.map(recordedType);
	const b = replayed.frames.map(replayedType);
	const prefix = `socket ${name}`;
	if (mode === 'milestones') {
		const ma = a.filter((t) => !PROGRESSISH.has(t));
		const mb = b.filter((t) => !PROGRESSISH.has(t));
		const out: string[] = [];
		if (ma.join() !== mb.join())
			out.push(`${prefix}: messages ${ma.join(' ')} recorded, ${mb.join(' ')} replayed`);
		const kinds = (types: string[]) => [...new Set(types)].sort().join(' ');
		if (kinds(a) !== kinds(b))
			out.push(`${prefix}: message kinds ${kinds(a)} recorded, ${kinds(b)} replayed`);
		if (out.length > 0) return out;
		// Same milestones: compare them pairwise, and each progress kind by its first occurrence.
		const pairs: Array<[number, number]> = [];
		const milestoneA = a.flatMap((t, i) => (PROGRESSISH.has(t) ? [] : [i]));
		const milestoneB = b.flatMap((t, i) => (PROGRESSISH.has(t) ? [] : [i]));
		milestoneA.forEach((i, k) => pairs.push([i, milestoneB[k] ?? -1]));
		for (const type of PROGRESSISH) {
			if (a.includes(type)) pairs.push([a.indexOf(type), b.indexOf(type)]);
		}
		for (const [i, j] of pairs)
			out.push(...frameDiff(`${prefix} #${i} ${a[i]}`, recorded[i], replayed.frames[j]));
		return out;
	}
	if (mode === 'unordered') {
		const out: string[] = [];
		const ca = count(a);
		const cb = count(b);
		for (const type of new Set([...ca.keys(), ...cb.keys()])) {
			if (ca.get(type) !== cb.get(type))
				out.push(`${prefix}: ${ca.get(type) ?? 0} ${type} recorded, ${cb.get(type) ?? 0} replayed`);
		}
		const runA = a.filter((t) => RUN_LEVEL.has(t)).join(' ');
		const runB = b.filter((t) => RUN_LEVEL.has(t)).join(' ');
		if (runA !== runB) out.push(`${prefix}: run messages ${runA} recorded, ${runB} replayed`);
		return out;
	}
	if (a.join() !== b.join())
		return [`${prefix}: messages\n  recorded ${a.join(' ')}\n  replayed ${b.join(' ')}`];
	const out: string[] = [];
	recorded.forEach((frame, i) =>
		out.push(...frameDiff(`${prefix} #${i} ${a[i]}`, frame, replayed.frames[i]))
	);
	return out;
}

/** Every difference between a transcript and its replay. */
export function compareTranscript(transcript: Transcript, replayed: Replay, mode: Mode): string[] {
	const timeline = [...transcript.timeline].sort((x, y) => x.seq - y.seq);
	const https = timeline
		.filter((e): e is RecordedHttp => e.kind === 'http')
		.sort((x, y) => x.t_start - y.t_start || x.seq - y.seq);
	const out: string[] = [];
	if (https.length !== replayed.http.length)
		out.push(`${https.length} HTTP exchanges recorded, ${replayed.http.length} replayed`);
	https.forEach((entry, i) => {
		const got = replayed.http[i];
		if (got) out.push(...httpDiff(entry, got));
	});
	for (const open of timeline.filter((e): e is RecordedOpen => e.kind === 'ws_open')) {
		const conn = replayed.conns.get(open.conn);
		if (!conn) {
			out.push(`socket ${open.conn}: never opened`);
			continue;
		}
		if (conn.openStatus !== open.status)
			out.push(`socket ${open.conn}: upgrade ${open.status} recorded, ${conn.openStatus} replayed`);
		const frames = timeline.filter((e): e is RecordedFrame => e.kind === 'ws' && e.conn === open.conn);
		out.push(...connDiff(open.conn, frames, conn, mode));
	}
	return out;
}
