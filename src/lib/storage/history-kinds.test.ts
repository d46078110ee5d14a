import { describe, expect, it } from 'vitest';
import type { OutputKind } from '$lib/comfy';
import { toHistoryItem } from './history';
import { thumbHashOf } from './history-kinds';
import type { KeptImage, StoredJob } from './jobs';

function job(images: KeptImage[], texts?: Record<string, unknown[]>): StoredJob {
	return {
		id: 'p1',
		serverUrl: 'http://box:8188/',
		workflow: {},
		status: 'succeeded',
		outputs: [],
		timings: { created: 1 },
		attempts: 1,
		serverId: 's1',
		createdAt: 1,
		app: { images },
		...(texts ? { texts } : {})
	};
}

const file = (filename: string, kind?: OutputKind, duration?: number): KeptImage => ({
	filename,
	subfolder: '',
	type: 'output',
	...(kind ? { kind } : {}),
	...(duration !== undefined ? { duration } : {})
});

describe('the kinds a History card shows', () => {
	it('names what a still thumbnail hides, moving things first, with the length of the first video', () => {
		// The m_media run: mp4, webm, animated webp, two flacs and a PreviewAny text.
		const item = toHistoryItem(
			job(
				[
					file('a.flac', 'audio', 0.5),
					file('harness_media_00001_.mp4', 'video', 1),
					file('harness_media_00002_.webm', 'video', 1),
					file('harness_media_00001_.webp', 'animated')
				],
				{ '10': ['a caption'] }
			)
		);
		expect(item.kinds).toEqual(['video', 'animated', 'audio', 'text']);
		expect(item.mediaSeconds).toBe(1);
		expect(toHistoryItem(job([file('a.flac', 'audio', 0.5)])).mediaSeconds).toBe(0.5);
	});

	it('gives plain picture runs, and runs kept before kinds, no badge', () => {
		for (const images of [[file('a.png', 'image')], [file('old.png')], []]) {
			const item = toHistoryItem(job(images, { '10': [] }));
			expect(item.kinds).toBeUndefined();
			expect(item.mediaSeconds).toBeUndefined();
		}
		expect(toHistoryItem(job([file('mesh.glb', 'other')])).kinds).toEqual(['other']);
	});

	it('puts a picture or a video frame on the card before a sound, and a sound alone still opens', () => {
		const flac = { hash: 'a1', kind: 'audio' as const };
		expect(thumbHashOf([flac, { hash: 'v1', kind: 'video' }])).toBe('v1');
		expect(thumbHashOf([flac, { hash: 'p1' }])).toBe('p1');
		expect(thumbHashOf([{ kind: 'video' }, flac])).toBe('a1');
		expect(thumbHashOf([])).toBeUndefined();
	});
});
