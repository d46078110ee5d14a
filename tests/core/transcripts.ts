/**
 * Reads the recorded ComfyUI transcripts (tests/fixtures/comfyui/transcripts) for tests of the protocol core:
 * HTTP exchanges, WebSocket frames (binary frames rebuilt from their recorded summaries) and msw handlers that
 * answer each route with its recorded responses in order.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import {
	readTranscript,
	type RecordedBinary as RecordedBinarySummary,
	type RecordedFrame as RecordedWs,
	type RecordedHttp,
	type Transcript
} from '../transcript-format';

export type {
	RecordedBinary as RecordedBinarySummary,
	RecordedFrame as RecordedWs,
	RecordedHttp,
	TimelineEntry as RecordedEntry,
	Transcript
} from '../transcript-format';

export const TRANSCRIPTS = [
	'a_connect',
	'b_success',
	'c_cached',
	'd_progress',
	'd2_progress_png',
	'e_feature_flags',
	'f_validation_errors',
	'g_execution_error',
	'h_interrupt',
	'h2_queue_management',
	'i_upload',
	'j_cors_disabled',
	'j_cors_enabled',
	'k_reconnect',
	'k2_duplicate_clientId',
	'l_ui_text_and_binary_text',
	'm_media',
	'n_mask_upload'
] as const;
export type TranscriptName = (typeof TRANSCRIPTS)[number];

const cache = new Map<string, Transcript>();

export function loadTranscript(name: TranscriptName): Transcript {
	let transcript = cache.get(name);
	if (!transcript) {
		transcript = readTranscript(name);
		cache.set(name, transcript);
	}
	return transcript;
}

export function httpExchanges(transcript: Transcript): RecordedHttp[] {
	return transcript.timeline.filter((e): e is RecordedHttp => e.kind === 'http');
}

/** The frames one connection received, in order. */
export function wsFrames(transcript: Transcript, conn = 'main'): RecordedWs[] {
	return transcript.timeline.filter((e): e is RecordedWs => e.kind === 'ws' && e.conn === conn);
}

/** The prompt ids a transcript's POST /prompt calls got. */
export function promptIds(transcript: Transcript): string[] {
	return httpExchanges(transcript)
		.filter((e) => e.request.method === 'POST' && e.request.path === '/prompt' && e.response.status === 200)
		.map((e) => (e.response.json as { prompt_id: string }).prompt_id);
}

/** Rebuilds a binary frame from its summary: the real header, and image bytes that start with the real magic. */
export function binaryFrame(summary: RecordedBinarySummary): Uint8Array<ArrayBuffer> {
	const encoder = new TextEncoder();
	const imageBytes = (image: RecordedBinarySummary['image']) => {
		const bytes = new Uint8Array(image?.length ?? 16);
		const magic = hexBytes(image?.magic_hex ?? '');
		bytes.set(magic.subarray(0, Math.min(magic.length, bytes.length)));
		return bytes;
	};
	let payload: Uint8Array;
	switch (summary.u32_0_event_type) {
		case 1:
			payload = concat(u32(summary.u32_1), imageBytes(summary.image));
			break;
		case 3: {
			const node = encoder.encode(summary.node_id ?? '');
			payload = concat(u32(node.length), node, encoder.encode(summary.text ?? ''));
			break;
		}
		case 4: {
			const meta = encoder.encode(JSON.stringify(summary.metadata ?? {}));
			payload = concat(u32(meta.length), meta, imageBytes(summary.image));
			break;
		}
		default:
			payload = hexBytes(summary.head_hex).subarray(4);
	}
	return concat(u32(summary.u32_0_event_type), payload);
}

export function u32(value: number): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(4);
	new DataView(bytes.buffer).setUint32(0, value, false);
	return bytes;
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return out;
}

/** The recorded answer as a fetch Response body and init. */
export function recordedResponse(exchange: RecordedHttp): Response {
	const { response } = exchange;
	const headers = new Headers();
	const contentType = response.headers['Content-Type'];
	if (contentType) headers.set('Content-Type', contentType);
	if (response.body_kind === 'json')
		return new Response(JSON.stringify(response.json), { status: response.status, headers });
	if (response.body_kind === 'text')
		return new Response(response.text ?? '', { status: response.status, headers });
	if (response.body_kind === 'binary') {
		const bytes = new Uint8Array(response.binary?.length ?? 0);
		bytes.set(hexBytes(response.binary?.head_hex ?? '').subarray(0, bytes.length));
		return new Response(bytes, { status: response.status, headers });
	}
	return new Response(null, { status: response.status, headers });
}

/**
 * msw handlers that answer every route a transcript recorded (under `<baseUrl>api/`) with its recorded responses,
 * in order (the last one repeats). Exchanges whose JSON was left out of the recording are skipped.
 */
export function transcriptHandlers(transcript: Transcript, baseUrl: string): HttpHandler[] {
	const byRoute = new Map<string, RecordedHttp[]>();
	for (const exchange of httpExchanges(transcript)) {
		if (exchange.response.json_omitted) continue;
		const key = `${exchange.request.method} ${exchange.request.sent_path}`;
		byRoute.set(key, [...(byRoute.get(key) ?? []), exchange]);
	}
	const handlers: HttpHandler[] = [];
	for (const [key, exchanges] of byRoute) {
		const [method, sentPath] = key.split(' ') as [string, string];
		const [recordedPath] = sentPath.split('?') as [string];
		// Every route exists as /x and /api/x; the client always uses /api/x.
		const path = recordedPath.startsWith('/api/') ? recordedPath.slice(4) : recordedPath;
		let index = 0;
		const make = method === 'POST' ? http.post : method === 'OPTIONS' ? http.options : http.get;
		handlers.push(
			make(`${baseUrl}api${path}`, ({ request }) => {
				const query = new URL(request.url).search;
				const wanted = sentPath.includes('?') ? `?${sentPath.split('?')[1]}` : '';
				if (normalizeQuery(query) !== normalizeQuery(wanted)) return undefined;
				const exchange = exchanges[Math.min(index++, exchanges.length - 1)];
				return exchange ? recordedResponse(exchange) : HttpResponse.error();
			})
		);
	}
	return handlers;
}

function normalizeQuery(search: string): string {
	const params = new URLSearchParams(search);
	return [...params.entries()]
		.map(([k, v]) => `${k}=${v}`)
		.sort()
		.join('&');
}
