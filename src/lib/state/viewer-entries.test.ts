import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { toHistoryItem } from '$lib/storage/history';
import { putImage } from '$lib/storage/images';
import { putJob, type KeptImage, type StoredJob } from '$lib/storage/jobs';
import { historyViewerEntries } from './viewer-entries';

let n = 0;

async function runWith(image: Omit<KeptImage, 'hash'>) {
	const db = openDeckDb({ name: `viewer-entries-${n++}-${Math.random()}` });
	const hash = await putImage(await db, {
		blob: new Blob([new Uint8Array([0, 0, 0, 0x18, n])], { type: 'video/mp4' }),
		kind: 'video'
	});
	const job: StoredJob = {
		id: `job-${n}`,
		serverUrl: 'http://box:8188/',
		serverId: 'box',
		workflow: { '1': { class_type: 'SaveVideo', inputs: {} } },
		status: 'succeeded',
		outputs: [image],
		timings: { created: 1 },
		attempts: 1,
		createdAt: 1,
		app: { templateName: 'Demo', images: [{ ...image, hash }] }
	};
	await putJob(await db, job);
	const [entry] = historyViewerEntries({ db, items: [toHistoryItem(job)] });
	return entry?.load?.();
}

describe('History viewer entries', () => {
	it('carry where a result is saved on its server, so "Use as input" names it instead of uploading', async () => {
		const saved = await runWith({ filename: 'a_00001_.mp4', subfolder: 'video', type: 'output' });
		expect(saved?.saved).toEqual({ serverId: 'box', value: 'video/a_00001_.mp4 [output]' });
		expect(saved?.filename).toBe('a_00001_.mp4');

		// A temp file (PreviewImage…) is gone when the server restarts: nothing to name, it is uploaded.
		const temp = await runWith({ filename: 'ComfyUI_temp_x_00001_.mp4', subfolder: '', type: 'temp' });
		expect(temp?.saved).toBeUndefined();
		expect(temp?.kind).toBe('video');
	});
});
