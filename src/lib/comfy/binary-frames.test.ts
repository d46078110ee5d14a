import { describe, expect, it } from 'vitest';
import {
	binaryFrame,
	concat,
	loadTranscript,
	u32,
	wsFrames,
	type TranscriptName
} from '../../../tests/core/transcripts';
import { decodeBinaryFrame, MalformedFrameError } from './binary-frames';

function recordedBinaryFrames(name: TranscriptName) {
	return wsFrames(loadTranscript(name)).flatMap((f) => (f.frame === 'binary' ? [f.binary] : []));
}

describe('decodeBinaryFrame', () => {
	it('decodes the recorded JPEG previews without metadata (d_progress, event 1)', async () => {
		const frames = recordedBinaryFrames('d_progress');
		expect(frames).toHaveLength(5);
		for (const summary of frames) {
			const frame = decodeBinaryFrame(binaryFrame(summary));
			expect(frame).toMatchObject({ kind: 'preview', mimeType: 'image/jpeg' });
			expect(frame).not.toHaveProperty('promptId');
			if (frame?.kind !== 'preview') continue;
			expect(frame.blob.size).toBe(summary.image?.length);
			expect(new Uint8Array(await frame.blob.slice(0, 2).arrayBuffer())).toEqual(
				new Uint8Array([0xff, 0xd8])
			);
		}
	});

	it('decodes the recorded PNG previews (d2_progress_png)', () => {
		for (const summary of recordedBinaryFrames('d2_progress_png')) {
			expect(decodeBinaryFrame(binaryFrame(summary))).toMatchObject({
				kind: 'preview',
				mimeType: 'image/png'
			});
		}
	});

	it('decodes previews with metadata: prompt and node (e_feature_flags, event 4)', () => {
		const frames = recordedBinaryFrames('e_feature_flags');
		expect(frames.length).toBeGreaterThan(0);
		for (const summary of frames) {
			expect(decodeBinaryFrame(binaryFrame(summary))).toMatchObject({
				kind: 'preview',
				mimeType: 'image/jpeg',
				promptId: '9058962f-08d5-41d8-9a4f-d0e051f8aff2',
				nodeId: '10',
				displayNodeId: '10',
				realNodeId: '10'
			});
		}
	});

	it('decodes the recorded progress text (l_ui_text_and_binary_text, event 3)', () => {
		const texts = recordedBinaryFrames('l_ui_text_and_binary_text')
			.map((s) => decodeBinaryFrame(binaryFrame(s)))
			.filter((f) => f?.kind === 'text');
		expect(texts[0]).toEqual({ kind: 'text', nodeId: '3', text: 'width: 24, height: 12\n batch size: 2' });
	});

	it('accepts a view into a larger buffer', () => {
		const frame = concat(new Uint8Array([9, 9]), u32(1), u32(2), new Uint8Array([0x89, 0x50]));
		expect(decodeBinaryFrame(frame.subarray(2))).toMatchObject({ kind: 'preview', mimeType: 'image/png' });
	});

	it('ignores unknown event types and rejects truncated frames', () => {
		expect(decodeBinaryFrame(concat(u32(2), u32(0)))).toBeUndefined();
		expect(() => decodeBinaryFrame(new Uint8Array([0, 0, 1]))).toThrow(MalformedFrameError);
		expect(() => decodeBinaryFrame(concat(u32(3), u32(50), new Uint8Array(3)))).toThrow(MalformedFrameError);
		expect(() => decodeBinaryFrame(concat(u32(4), u32(2), new TextEncoder().encode('{x')))).toThrow(
			/not JSON/
		);
	});
});
