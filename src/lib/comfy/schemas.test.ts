import { describe, expect, it } from 'vitest';
import type * as z from './guard';
import { httpExchanges, loadTranscript, TRANSCRIPTS, wsFrames } from '../../../tests/core/transcripts';
import {
	safeParseWith,
	wsDataSchemas,
	zFeatures,
	zHistory,
	zJobDetail,
	zPromptErrorBody,
	zPromptResponse,
	zQueue
} from './schemas';
import { zPromptInfo, zStringList, zSystemStats, zUploadResponse, zJobList } from './route-schemas';

// Which schema reads which recorded route's 2xx answer.
const ROUTES: [RegExp, z.Schema][] = [
	[/^GET \/(api\/)?system_stats$/, zSystemStats],
	[/^GET \/queue$/, zQueue],
	[/^GET \/history(\/.*)?$/, zHistory],
	[/^GET \/prompt$/, zPromptInfo],
	[/^POST \/prompt$/, zPromptResponse],
	[/^GET \/features$/, zFeatures],
	[/^GET \/(embeddings|models|models\/checkpoints)$/, zStringList],
	[/^GET \/api\/jobs$/, zJobList],
	[/^GET \/api\/jobs\/[^/]+$/, zJobDetail],
	[/^POST \/upload\/(image|mask)$/, zUploadResponse]
];

describe('schemas read every recorded answer', () => {
	for (const name of TRANSCRIPTS) {
		it(`parses the REST answers of ${name}`, () => {
			let checked = 0;
			for (const exchange of httpExchanges(loadTranscript(name))) {
				const { response, request } = exchange;
				if (response.body_kind !== 'json' || response.json_omitted) continue;
				const route = `${request.method} ${request.path}`;
				if (response.status === 400 && request.path === '/prompt') {
					expect(safeParseWith(zPromptErrorBody, response.json)).toMatchObject({ ok: true });
					checked++;
					continue;
				}
				if (response.status !== 200) continue;
				const schema = ROUTES.find(([pattern]) => pattern.test(route))?.[1];
				if (!schema) continue;
				const parsed = safeParseWith(schema, response.json);
				expect(parsed, `${route} (seq ${exchange.seq})`).toMatchObject({ ok: true });
				checked++;
			}
			// Only the recordings without JSON answers to known routes read nothing.
			if (!['j_cors_disabled', 'k2_duplicate_clientId'].includes(name)) expect(checked).toBeGreaterThan(0);
		});

		it(`parses the WebSocket text frames of ${name}`, () => {
			const transcript = loadTranscript(name);
			const conns = new Set(transcript.timeline.flatMap((e) => (e.kind === 'ws' ? [e.conn] : [])));
			let known = 0;
			for (const conn of conns) {
				for (const frame of wsFrames(transcript, conn)) {
					if (frame.frame !== 'text') continue;
					const schema = wsDataSchemas[frame.json.type as keyof typeof wsDataSchemas];
					if (!schema) continue;
					expect(
						safeParseWith(schema, frame.json.data),
						`${frame.json.type} (seq ${frame.seq})`
					).toMatchObject({
						ok: true
					});
					known++;
				}
			}
			expect(known).toBeGreaterThan(0);
		});
	}

	it('names the wrong field of a bad answer', () => {
		const parsed = safeParseWith(zSystemStats, { system: { os: 'linux', python_version: 3 }, devices: [] });
		expect(parsed).toMatchObject({ ok: false, fields: ['system.python_version'] });
	});

	it('lets unknown extra fields through', () => {
		const parsed = safeParseWith(zQueue, { queue_running: [], queue_pending: [], future_field: 1 });
		expect(parsed).toMatchObject({ ok: true, value: { future_field: 1 } });
	});

	it('reads a reconnect `executing` without prompt id and the final one with node null', () => {
		expect(wsDataSchemas.executing.parse({ node: '10' })).toEqual({ node: '10' });
		expect(wsDataSchemas.executing.parse({ node: null, prompt_id: 'p' })).toEqual({
			node: null,
			prompt_id: 'p'
		});
	});
});
