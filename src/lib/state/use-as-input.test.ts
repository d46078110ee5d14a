import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFormState, zTemplate, type Template } from '$lib/comfy/workflow';
import { inputKindOfResult, templatesWithInput, useResultAsInput } from './use-as-input';

const starter = (file: string): Template =>
	zTemplate.parse(
		JSON.parse(readFileSync(new URL(`../../../static/templates/${file}`, import.meta.url), 'utf8'))
	);
const img2img = starter('sd15-img2img.json');
const remix = starter('demo-media-remix.json');
const txt2img = starter('sd15-txt2img.json');
const all = [txt2img, img2img, remix];

describe('use as input', () => {
	it('sends each kind of result only to inputs of its kind', () => {
		expect(inputKindOfResult({ filename: 'a.png', kind: 'image' })).toBe('IMAGE');
		expect(inputKindOfResult({ filename: 'a.webp', kind: 'animated' })).toBe('IMAGE');
		// SaveVideo's mp4 arrives under `images`: the kind, not the key, decides.
		expect(inputKindOfResult({ filename: 'harness_media_00001_.mp4', kind: 'video' })).toBe('VIDEO');
		expect(inputKindOfResult({ filename: 'x.flac', mime: 'audio/flac' })).toBe('AUDIO');
		expect(inputKindOfResult({ filename: 'model.glb', kind: 'other' })).toBeUndefined();
		expect(inputKindOfResult({ filename: 'broken.mp4', kind: 'video', unplayable: true })).toBeUndefined();

		const ids = (kind: 'IMAGE' | 'VIDEO' | 'AUDIO') =>
			templatesWithInput({ templates: all, kind }).map((t) => `${t.template.id}.${t.parameterId}`);
		expect(ids('IMAGE')).toEqual(['sd15-img2img.image']);
		expect(ids('VIDEO')).toEqual(['demo-media-remix.video']);
		expect(ids('AUDIO')).toEqual(['demo-media-remix.audio']);
	});

	function recordingApi(onServer = true) {
		const calls: unknown[] = [];
		const api = {
			hasFile: async (file: { filename: string; subfolder?: string; type?: string }) => {
				calls.push({ check: file });
				return onServer;
			},
			uploadImage: async (options: { file: Blob; filename: string; type?: string; overwrite?: boolean }) => {
				calls.push({ ...options, file: options.file.type });
				return { name: 'harness_media_00001_ (1).mp4', subfolder: '', type: 'input' };
			}
		};
		return { api, calls };
	}
	const video = {
		blob: new Blob([new Uint8Array([0, 0, 0, 0x18])], { type: 'video/mp4' }),
		filename: 'harness_media_00001_.mp4',
		template: remix,
		parameterId: 'video'
	};
	const valueOf = (link: string) => {
		const decoded = decodeFormState({ hash: link, parameters: remix.parameters });
		return decoded.ok ? decoded.values.video : undefined;
	};

	it('names a result saved on the same server as ComfyUI loads it back, copying nothing', async () => {
		const { api, calls } = recordingApi();
		const { link, reuploadedAs } = await useResultAsInput({
			api,
			serverId: 's1',
			...video,
			saved: { serverId: 's1', value: 'video/harness_media_00001_.mp4 [output]' }
		});
		// Only the check that the file is still there.
		expect(calls).toEqual([
			{ check: { filename: 'harness_media_00001_.mp4', subfolder: 'video', type: 'output' } }
		]);
		expect(link.startsWith('#/generate/demo-media-remix?')).toBe(true);
		expect(valueOf(link)).toBe('video/harness_media_00001_.mp4 [output]');
		expect(reuploadedAs).toBeUndefined();
	});

	it('uploads the kept copy when the saved file is gone from the server, and says so', async () => {
		const { api, calls } = recordingApi(false);
		const { link, reuploadedAs } = await useResultAsInput({
			api,
			serverId: 's1',
			...video,
			saved: { serverId: 's1', value: 'video/harness_media_00001_.mp4 [output]' }
		});
		expect(calls).toEqual([
			{ check: { filename: 'harness_media_00001_.mp4', subfolder: 'video', type: 'output' } },
			{ file: 'video/mp4', filename: 'harness_media_00001_.mp4', type: 'input', overwrite: false }
		]);
		expect(valueOf(link)).toBe('harness_media_00001_ (1).mp4');
		expect(reuploadedAs).toBe('harness_media_00001_ (1).mp4');
	});

	it('uploads a temp result, or one from another server, and opens the form with the name the server gave', async () => {
		for (const saved of [
			undefined,
			{ serverId: 'elsewhere', value: 'video/harness_media_00001_.mp4 [output]' }
		]) {
			const { api, calls } = recordingApi();
			const { link, reuploadedAs } = await useResultAsInput({ api, serverId: 's1', ...video, saved });
			expect(reuploadedAs).toBeUndefined();
			expect(calls).toEqual([
				{ file: 'video/mp4', filename: 'harness_media_00001_.mp4', type: 'input', overwrite: false }
			]);
			expect(valueOf(link)).toBe('harness_media_00001_ (1).mp4');
		}
	});
});
