// Types and loading for the recorded ComfyUI transcripts (tests/fixtures/comfyui/transcripts/*.json).
import { readdirSync, readFileSync } from 'node:fs';

export interface RecordedHttp {
	kind: 'http';
	seq: number;
	t: number;
	t_start: number;
	label: string | null;
	request: {
		method: string;
		path: string;
		sent_path: string;
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
			image?: { width: number; height: number; sniffed: string };
		};
	};
}

export type RequestBody =
	| { json: unknown }
	| { raw_text: string }
	| { form: Record<string, string> }
	| {
			multipart_files: Array<{
				field: string;
				filename: string;
				content_type: string;
				length: number;
				head_hex: string;
			}>;
			multipart_fields?: Record<string, string>;
	  };

export interface RecordedBinary {
	length: number;
	u32_0_event_type: number;
	u32_1: number;
	metadata?: Record<string, unknown>;
	node_id?: string;
	text?: string;
	image?: { width: number; height: number; sniffed: string };
}

export interface RecordedFrame {
	kind: 'ws';
	seq: number;
	t: number;
	conn: string;
	frame: 'text' | 'binary';
	json?: { type: string; data: unknown };
	binary?: RecordedBinary;
}

export interface RecordedOpen {
	kind: 'ws_open';
	seq: number;
	t: number;
	conn: string;
	url_path: string;
	request_headers: Record<string, string>;
	status: number;
}

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
	| { kind: 'note'; seq: number; t: number };

export interface Transcript {
	scenario: string;
	title: string;
	recorded_at: string;
	cors_header_enabled: boolean;
	timeline: TimelineEntry[];
}

const DIR = new URL('../../fixtures/comfyui/transcripts/', import.meta.url);

/** Every transcript, in the order they were recorded on the one real server. */
export function loadTranscripts(): Transcript[] {
	return readdirSync(DIR)
		.filter((name) => name.endsWith('.json'))
		.map((name) => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Transcript)
		.sort((a, b) => a.recorded_at.localeCompare(b.recorded_at) || a.scenario.localeCompare(b.scenario));
}
