// The format of the recorded ComfyUI transcripts (tests/fixtures/comfyui/transcripts/*.json), typed once for the
// core's replays (tests/core/transcripts.ts) and the simulator's conformance run (tests/simulator/conformance).
import { readdirSync, readFileSync } from 'node:fs';

/** One HTTP request and its answer. */
export interface RecordedHttp {
	kind: 'http';
	seq: number;
	/** When the answer arrived (seconds since the scenario started); `t_start` when the request was sent. */
	t: number;
	t_start: number;
	label: string | null;
	request: {
		method: string;
		path: string;
		sent_path: string;
		query: Record<string, string> | null;
		headers: Record<string, string>;
		body: RequestBody | null;
	};
	response: {
		status: number;
		headers: Record<string, string>;
		body_kind: 'json' | 'text' | 'empty' | 'binary';
		json?: unknown;
		json_summary?: Record<string, unknown>;
		json_omitted?: boolean;
		text?: string;
		binary?: {
			content_type: string;
			length: number;
			head_hex?: string;
			image?: RecordedImage;
		};
	};
}

/** A request body as recorded: JSON, raw text, a form, or multipart files (with fields). */
export type RequestBody =
	| { json: unknown }
	| { raw_text: string }
	| { form: Record<string, string> }
	| {
			multipart_files: {
				field: string;
				filename: string;
				content_type: string;
				length: number;
				head_hex: string;
			}[];
			multipart_fields?: Record<string, string>;
	  };

/** The JSON a request sent, if it sent JSON. */
export function sentJson(exchange: RecordedHttp): unknown {
	const body = exchange.request.body;
	return body && 'json' in body ? body.json : undefined;
}

/** What the recorder read from an image: its size and its first bytes. */
export interface RecordedImage {
	width: number;
	height: number;
	length?: number;
	magic_hex?: string;
	sniffed?: string;
}

/** A binary WebSocket frame, summarised (the frame itself is rebuilt from this). */
export interface RecordedBinary {
	length: number;
	head_hex: string;
	u32_0_event_type: number;
	u32_1: number;
	metadata?: Record<string, unknown>;
	node_id?: string;
	text?: string;
	image?: RecordedImage;
}

/** A frame the server sent. */
export type RecordedFrame =
	| {
			kind: 'ws';
			seq: number;
			t: number;
			conn: string;
			frame: 'text';
			json: { type: string; data: unknown };
			binary?: undefined;
	  }
	| {
			kind: 'ws';
			seq: number;
			t: number;
			conn: string;
			frame: 'binary';
			binary: RecordedBinary;
			json?: undefined;
	  };

export interface RecordedOpen {
	kind: 'ws_open';
	seq: number;
	t: number;
	conn: string;
	url_path: string;
	client_id?: string | null;
	request_headers: Record<string, string>;
	status: number;
}

/** A frame the client sent. */
export interface RecordedSend {
	kind: 'ws_send';
	seq: number;
	t: number;
	conn: string;
	frame: 'text';
	json?: unknown;
	text?: string;
}

export interface RecordedClose {
	kind: 'ws_close';
	seq: number;
	t: number;
	conn: string;
	by: 'client' | 'server_ack' | 'server';
}

export type TimelineEntry =
	| RecordedHttp
	| RecordedFrame
	| RecordedOpen
	| RecordedSend
	| RecordedClose
	| { kind: 'note'; seq: number; t: number; text?: string };

export interface Transcript {
	scenario: string;
	title: string;
	recorded_at: string;
	cors_header_enabled: boolean;
	client_ids?: Record<string, string>;
	observations?: Record<string, unknown>;
	timeline: TimelineEntry[];
}

export const TRANSCRIPT_DIR = new URL('./fixtures/comfyui/transcripts/', import.meta.url);

/** One transcript by scenario name. */
export function readTranscript(name: string): Transcript {
	return JSON.parse(readFileSync(new URL(`${name}.json`, TRANSCRIPT_DIR), 'utf8')) as Transcript;
}

/** Every transcript, in the order they were recorded on the one real server. */
export function readAllTranscripts(): Transcript[] {
	return readdirSync(TRANSCRIPT_DIR)
		.filter((name) => name.endsWith('.json'))
		.map((name) => readTranscript(name.slice(0, -'.json'.length)))
		.sort((a, b) => a.recorded_at.localeCompare(b.recorded_at) || a.scenario.localeCompare(b.scenario));
}
