import { describe, expect, it } from 'vitest';
import { httpExchanges, loadTranscript, wsFrames } from '../../../tests/core/transcripts';
import { imagesOf, imagesOfOutputs, textsOfOutputs } from './job-events';
import { extensionOf, kindOfOutputFile, mimeOfFilename, uploadFlagOfKind } from './output-kind';
import { zHistory, type NodeOutput } from './schemas';

const media = loadTranscript('m_media');

function historyOutputs(): Record<string, NodeOutput> {
	const exchange = httpExchanges(media).find(
		(e) => e.request.path === '/history/01d86f73-e2ba-4ea5-8e1e-472c8b1aac31'
	);
	const history = zHistory.parse(exchange?.response.json);
	const entry = Object.values(history)[0];
	if (!entry) throw new Error('m_media has no history entry');
	return entry.outputs;
}

describe('kinds of the files a real ComfyUI 0.8 produced (m_media.json)', () => {
	it('tells every file of the history entry apart', () => {
		const files = imagesOfOutputs(historyOutputs());
		// JavaScript orders integer-like keys numerically, whatever order the server sent.
		expect(files.map((f) => [f.nodeId, f.filename, f.subfolder, f.type, f.kind])).toEqual([
			['3', 'harness_media_00001_.mp4', 'video', 'output', 'video'],
			['4', 'harness_media_00002_.webm', '', 'output', 'video'],
			['5', 'harness_media_00001_.webp', '', 'output', 'animated'],
			['7', 'harness_media_00001_.flac', 'audio', 'output', 'audio'],
			['8', 'ComfyUI_temp_crrsl_00001_.flac', '', 'temp', 'audio']
		]);
	});

	it('gives every executed message the same kinds as the history', () => {
		const fromSocket = wsFrames(media)
			.flatMap((f) => (f.frame === 'text' && f.json.type === 'executed' ? [f.json.data] : []))
			.map((d) => d as { node: string; output: NodeOutput; prompt_id: string })
			.filter((d) => d.prompt_id === '01d86f73-e2ba-4ea5-8e1e-472c8b1aac31')
			.flatMap((d) => imagesOf(d.node, d.output));
		const fromHistory = imagesOfOutputs(historyOutputs());
		const key = (f: { nodeId?: string; filename: string; kind?: string }) =>
			`${f.nodeId}:${f.filename}:${f.kind}`;
		expect(fromSocket.map(key).sort()).toEqual(fromHistory.map(key).sort());
	});

	it('carries PreviewAny text, which is not a file', () => {
		const outputs = historyOutputs();
		expect(textsOfOutputs(outputs)).toEqual({ '10': ['a caption from PrimitiveString'] });
		expect(imagesOfOutputs(outputs).some((f) => f.nodeId === '10')).toBe(false);
	});

	it('agrees with the content type /view sent for each file', () => {
		const views = httpExchanges(media).filter((e) => e.request.path === '/view' && e.response.status === 200);
		expect(views).toHaveLength(5);
		const byName = new Map(imagesOfOutputs(historyOutputs()).map((f) => [f.filename, f]));
		for (const view of views) {
			const filename = view.request.query?.filename ?? '';
			const file = byName.get(filename);
			const contentType = view.response.headers['Content-Type'];
			expect(kindOfOutputFile({ filename, animated: file?.kind === 'animated', contentType }), filename).toBe(
				file?.kind
			);
			expect(mimeOfFilename(filename)).toBe(contentType);
		}
	});

	it('reads the PNG frames of the loaded-back video as still images', () => {
		const executed = wsFrames(media)
			.flatMap((f) => (f.frame === 'text' && f.json.type === 'executed' ? [f.json.data] : []))
			.map((d) => d as { node: string; output: NodeOutput; prompt_id: string })
			.find((d) => d.prompt_id === '0f76d7a8-26e3-4003-afb0-fd2b64356946' && d.node === '3');
		const files = imagesOf('3', executed?.output ?? {});
		expect(files.length).toBeGreaterThan(1);
		expect(new Set(files.map((f) => f.kind))).toEqual(new Set(['image']));
	});
});

describe('kinds from other nodes', () => {
	it("reads VideoHelperSuite's gifs by their format", () => {
		const output = {
			gifs: [
				{
					filename: 'AnimateDiff_00001.mp4',
					subfolder: '',
					type: 'output',
					format: 'video/h264-mp4',
					frame_rate: 8,
					workflow: 'AnimateDiff_00001.png',
					fullpath: '/comfy/output/AnimateDiff_00001.mp4'
				},
				{ filename: 'AnimateDiff_00002.gif', subfolder: '', type: 'output', format: 'image/gif' },
				{ filename: 'AnimateDiff_00003.webp', subfolder: '', type: 'output', format: 'image/webp' }
			]
		} as NodeOutput;
		const files = imagesOf('12', output);
		expect(files.map((f) => [f.kind, f.format])).toEqual([
			['video', 'video/h264-mp4'],
			['animated', 'image/gif'],
			['animated', 'image/webp']
		]);
	});

	it('keeps files under keys a custom node invents, as other unless the name says more', () => {
		const output = {
			'3d': [{ filename: 'mesh_00001_.glb', subfolder: '3d', type: 'output' }],
			video: [{ filename: 'clip', subfolder: '', type: 'output' }],
			images: [{ filename: 'logo.svg', subfolder: '', type: 'output' }],
			animated: [false],
			text: ['not a file']
		} as NodeOutput;
		expect(imagesOf('1', output).map((f) => [f.filename, f.kind])).toEqual([
			['mesh_00001_.glb', 'other'],
			['clip', 'video'],
			['logo.svg', 'other']
		]);
	});

	it('tells a still PNG from an animated one only by the animated flag', () => {
		const still = imagesOf('9', { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] });
		const moving = imagesOf('9', {
			images: [{ filename: 'a.png', subfolder: '', type: 'output' }],
			animated: [true]
		} as NodeOutput);
		expect(still[0]?.kind).toBe('image');
		expect(moving[0]?.kind).toBe('animated');
	});

	it('trusts the content type over a misleading name, and ignores an unhelpful one', () => {
		expect(kindOfOutputFile({ filename: 'x.png', contentType: 'video/mp4' })).toBe('video');
		expect(kindOfOutputFile({ filename: 'x.mp4', contentType: 'application/octet-stream' })).toBe('video');
		expect(kindOfOutputFile({ filename: 'noext', key: 'audio' })).toBe('audio');
		expect(kindOfOutputFile({ filename: 'noext' })).toBe('other');
		expect(kindOfOutputFile({ filename: 'a.txt' })).toBe('text');
	});

	it('reads extensions case-insensitively and only from the file name', () => {
		expect(extensionOf('dir.v2/CLIP.MP4')).toBe('mp4');
		expect(extensionOf('dir.v2/README')).toBe('');
		expect(extensionOf('.hidden')).toBe('');
	});

	it('offers each kind only to the inputs that take it', () => {
		expect(uploadFlagOfKind('image')).toBe('image_upload');
		expect(uploadFlagOfKind('animated')).toBe('image_upload');
		expect(uploadFlagOfKind('video')).toBe('video_upload');
		expect(uploadFlagOfKind('audio')).toBe('audio_upload');
		expect(uploadFlagOfKind('text')).toBeUndefined();
		expect(uploadFlagOfKind('other')).toBeUndefined();
	});
});
