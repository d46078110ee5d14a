import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from './db';
import { putJob, type KeptImage, type StoredJob } from './jobs';
import { savedOutputsOf } from './saved-outputs';

let n = 0;
const open = () => openDeckDb({ name: `saved-outputs-test-${n++}-${Math.random()}` });

function job(id: string, createdAt: number, images: KeptImage[], serverId = 's1'): StoredJob {
	return {
		id,
		serverUrl: 'http://box:8188/',
		workflow: {},
		status: 'succeeded',
		outputs: [],
		timings: { created: createdAt },
		attempts: 1,
		serverId,
		createdAt,
		app: { images }
	};
}

// The files of the m_media run, as history keeps them.
const mp4: KeptImage = {
	filename: 'harness_media_00001_.mp4',
	subfolder: 'video',
	type: 'output',
	kind: 'video'
};
const webm: KeptImage = {
	filename: 'harness_media_00002_.webm',
	subfolder: '',
	type: 'output',
	kind: 'video'
};
const webp: KeptImage = {
	filename: 'harness_media_00001_.webp',
	subfolder: '',
	type: 'output',
	kind: 'animated'
};
const flac: KeptImage = {
	filename: 'harness_media_00001_.flac',
	subfolder: 'audio',
	type: 'output',
	kind: 'audio'
};
const preview: KeptImage = {
	filename: 'ComfyUI_temp_crrsl_00001_.flac',
	subfolder: '',
	type: 'temp',
	kind: 'audio'
};

describe('savedOutputsOf', () => {
	it('lists the saved results of one server by the field that loads them, annotated [output], newest first', async () => {
		const db = await open();
		await putJob(db, job('old', 1, [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }]));
		await putJob(db, job('media', 2, [mp4, webm, webp, flac, preview]));
		await putJob(db, job('again', 3, [mp4]));
		await putJob(db, job('elsewhere', 4, [{ ...mp4, filename: 'other.mp4' }], 's2'));
		expect(await savedOutputsOf(db, { serverId: 's1' })).toEqual({
			IMAGE: ['harness_media_00001_.webp [output]', 'ComfyUI_00001_.png [output]'],
			VIDEO: ['video/harness_media_00001_.mp4 [output]', 'harness_media_00002_.webm [output]'],
			// PreviewAudio's temp file is gone once the server restarts: not offered.
			AUDIO: ['audio/harness_media_00001_.flac [output]']
		});
	});

	it('stops at the asked number per kind', async () => {
		const db = await open();
		for (let i = 0; i < 5; i++) await putJob(db, job(`j${i}`, i, [{ ...mp4, filename: `v${i}.mp4` }]));
		const saved = await savedOutputsOf(db, { serverId: 's1', perKind: 2 });
		expect(saved.VIDEO).toEqual(['video/v4.mp4 [output]', 'video/v3.mp4 [output]']);
	});
});
