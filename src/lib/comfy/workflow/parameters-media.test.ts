import { describe, expect, it } from 'vitest';
import { zParameterDef } from './parameter-def';
import { detectParameters, refreshOptions } from './parameters';
import { realObjectInfo } from './testing/fixtures';
import type { ApiWorkflow } from './types';
import { validateValues } from './validate-values';
import { decodeFormState, encodeFormState } from './url-state';

const objectInfo = realObjectInfo();

// The workflow m_media.json sent second: the saved video and audio loaded back by LoadVideo and LoadAudio.
const loadBack: ApiWorkflow = {
	'1': { class_type: 'LoadVideo', inputs: { file: 'video/harness_media_00001_.mp4 [output]' } },
	'2': { class_type: 'GetVideoComponents', inputs: { video: ['1', 0] } },
	'3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
	'4': { class_type: 'LoadAudio', inputs: { audio: 'audio/harness_media_00001_.flac [output]' } },
	'5': { class_type: 'PreviewAudio', inputs: { audio: ['4', 0] } }
};

describe('video and audio inputs', () => {
	const parameters = detectParameters({ api: loadBack, objectInfo, controls: [] });

	it('become a Video and an Audio field (video_upload, audio_upload) holding the annotated name', () => {
		expect(parameters.map((p) => [p.id, p.kind, p.group, p.default])).toEqual([
			['video', 'VIDEO', 'Video', 'video/harness_media_00001_.mp4 [output]'],
			['audio', 'AUDIO', 'Audio', 'audio/harness_media_00001_.flac [output]']
		]);
		for (const p of parameters) expect(zParameterDef.safeParse(p).success).toBe(true);
	});

	it('accept any file name (the list may be older than the last upload) and ask for one when empty', () => {
		expect(validateValues({ parameters, values: { video: 'clip.webm', audio: null } })).toEqual([
			{ parameterId: 'audio', code: 'required', message: 'Audio is required.' }
		]);
		expect(validateValues({ parameters, values: { video: 7, audio: 'a.flac' } })).toEqual([
			{ parameterId: 'video', code: 'type', message: 'Choose or upload a video.' }
		]);
	});

	it('refresh their lists from the server and round-trip through the form URL', () => {
		const info = structuredClone(objectInfo);
		info.LoadVideo!.input.required!.file = ['COMBO', { video_upload: true, options: ['walk.mp4'] }];
		const refreshed = refreshOptions({ parameters, api: loadBack, objectInfo: info });
		expect(refreshed[0]?.options).toEqual(['walk.mp4']);
		const hash = encodeFormState({
			templateId: 't',
			parameters,
			values: { video: 'walk.mp4', audio: 'audio/harness_media_00001_.flac [output]' }
		});
		const decoded = decodeFormState({ hash, parameters });
		expect(decoded.ok && decoded.values).toEqual({
			video: 'walk.mp4',
			audio: 'audio/harness_media_00001_.flac [output]'
		});
	});
});
