import { describe, expect, it } from 'vitest';
import { compareTranscript, imageInfo, shapeDiff } from './compare';
import type { Replay } from './replay';
import type { Transcript } from './transcript';
import { createImage, encodePng } from '../image';

describe('shape comparison', () => {
	it('reports type changes, missing and unexpected keys, and list lengths, but not values or ids', () => {
		expect(shapeDiff({ a: 1, b: 'x', c: [1, 2] }, { a: 2, b: 'y', c: [3, 4] })).toEqual([]);
		expect(
			shapeDiff(
				{ '1b4e28ba-2fa1-11d2-883f-0016d3cca427': { n: 1 } },
				{ '9a4d73c1-8a0e-4afb-9dfe-933f2c7f8245': { n: 2 } }
			)
		).toEqual([]);
		expect(shapeDiff({ a: 1, b: null }, { a: '1', c: null })).toEqual([
			'$.b: missing',
			'$.c: unexpected',
			'$.a: number recorded, string replayed'
		]);
		expect(shapeDiff([1, 2], [1])).toEqual(['$: 2 items recorded, 1 replayed']);
	});

	it('reads image sizes from PNG bytes', () => {
		expect(imageInfo(encodePng(createImage(1, 6, 8)))).toEqual({ format: 'png', width: 8, height: 6 });
	});
});

describe('transcript comparison', () => {
	const transcript: Transcript = {
		scenario: 'x',
		title: 'x',
		recorded_at: '',
		cors_header_enabled: true,
		timeline: [
			{ kind: 'ws_open', seq: 1, t: 0, conn: 'main', url_path: '/ws', request_headers: {}, status: 101 },
			{ kind: 'ws', seq: 2, t: 0, conn: 'main', frame: 'text', json: { type: 'status', data: { sid: 'a' } } },
			{
				kind: 'ws',
				seq: 3,
				t: 0,
				conn: 'main',
				frame: 'text',
				json: { type: 'executing', data: { node: '1' } }
			}
		]
	};

	it('passes an identical replay and reports a missing message', () => {
		const frames = [
			{ text: '{"type": "status", "data": {"sid": "b"}}' },
			{ text: '{"type": "executing", "data": {"node": "2"}}' }
		];
		const same: Replay = { http: [], conns: new Map([['main', { openStatus: 101, frames }]]) };
		expect(compareTranscript(transcript, same, 'exact')).toEqual([]);
		const short: Replay = {
			http: [],
			conns: new Map([['main', { openStatus: 101, frames: frames.slice(0, 1) }]])
		};
		expect(compareTranscript(transcript, short, 'exact')).toEqual([
			'socket main: messages\n  recorded status executing\n  replayed status'
		]);
	});
});
