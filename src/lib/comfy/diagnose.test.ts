import { describe, expect, it } from 'vitest';
import { httpExchanges, loadTranscript, type RecordedEntry } from '../../../tests/core/transcripts';
import { wouldFailOriginCheck } from './diagnose';

describe('the Origin check as recorded (j_cors_disabled)', () => {
	it('predicts exactly which recorded requests and WebSocket upgrades ComfyUI refused with 403', () => {
		const transcript = loadTranscript('j_cors_disabled');
		const opens = transcript.timeline.filter(
			(e): e is Extract<RecordedEntry, { kind: 'ws_open' }> & { request_headers: Record<string, string> } =>
				e.kind === 'ws_open'
		);
		const cases = [
			...httpExchanges(transcript).map((e) => ({
				what: `${e.request.method} ${e.request.path} (${e.label ?? ''})`,
				headers: e.request.headers,
				status: e.response.status
			})),
			...opens.map((e) => ({
				what: `WebSocket upgrade ${e.seq}`,
				headers: e.request_headers,
				status: e.status
			}))
		];
		expect(cases.length).toBeGreaterThanOrEqual(16);
		for (const { what, headers, status } of cases) {
			// The recorder sent Host only when it rewrote it; otherwise it was the server's own address.
			const host = headers.Host ?? '127.0.0.1:8188';
			const page = headers.Origin === undefined ? undefined : `${headers.Origin}/`;
			expect(wouldFailOriginCheck(`http://${host}/`, page), what).toBe(status === 403);
		}
	});
});
