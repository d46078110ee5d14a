import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger } from '$lib/comfy';
import { applyParameters, createTemplate, decodeFormState } from '$lib/comfy/workflow';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { getImage, putImage } from '$lib/storage/images';
import { getJob, putJob, type StoredJob } from '$lib/storage/jobs';
import { template } from '$lib/storage/testing/backup-fixtures';
import { useSimulator } from '../../../tests/simulator/test-helpers';
import type { ServerView } from './app.svelte';
import { HistoryDetailState } from './history-detail.svelte';
import { JobsState } from './jobs.svelte';

// A one-field template (Width) over EmptyImage → SaveImage: runs on the simulator as it is.
const TEMPLATE = template('Solid color', 16);
const WORKFLOW = TEMPLATE.api;

// A video run with a video input (LoadVideo → SaveVideo, as demo-media-remix loads one): the simulator saves what
// it loaded, so the result's bytes say which input the server was given.
const REMIX = createTemplate({
	name: 'Remix',
	api: {
		'1': { class_type: 'LoadVideo', inputs: { file: 'placeholder.mp4' } },
		'2': {
			class_type: 'SaveVideo',
			inputs: { video: ['1', 0], filename_prefix: 'video/ComfyDeck-again', format: 'auto', codec: 'auto' }
		}
	},
	parameters: [
		{
			id: 'video',
			label: 'Video',
			kind: 'VIDEO',
			group: 'Video',
			targets: [{ nodeId: '1', input: 'file' }],
			default: 'placeholder.mp4',
			required: true,
			hidden: false
		}
	],
	now: 1
});
const MP4 = readFileSync(
	new URL('../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4', import.meta.url)
);

function job(id: string, o: { createdAt: number; width: number; image?: string; style?: string }): StoredJob {
	return {
		id,
		serverUrl: 'http://127.0.0.1:1/',
		workflow: WORKFLOW,
		status: 'succeeded',
		outputs: [],
		timings: { created: o.createdAt, finished: o.createdAt + 1 },
		attempts: 1,
		serverId: 's1',
		createdAt: o.createdAt,
		app: {
			templateId: TEMPLATE.id,
			templateName: TEMPLATE.name,
			parameters: { width: o.width },
			...(o.style ? { style: o.style } : {}),
			...(o.image
				? { images: [{ filename: `${id}.png`, subfolder: '', type: 'output', hash: o.image }] }
				: {})
		}
	};
}

async function setup(o: { servers?: ServerView[] } = {}) {
	const db = openDeckDb({ name: `history-detail-${Math.random()}` });
	const open: DeckDb = await db;
	const image = await putImage(open, { blob: new Blob(['png bytes'], { type: 'image/png' }) });
	await putJob(open, job('old', { createdAt: 1, width: 16 }));
	await putJob(open, job('mid', { createdAt: 2, width: 32 }));
	await putJob(open, job('new', { createdAt: 3, width: 64, image, style: 'flat' }));
	const jobs = new JobsState({ db, logger: createLogger(), cacheBytes: () => 0 });
	const app = { db, jobs, servers: o.servers ?? [] };
	const templates = { get: (id: string) => Promise.resolve(id === TEMPLATE.id ? TEMPLATE : undefined) };
	return { db: open, image, jobs, detail: new HistoryDetailState({ app, templates }) };
}

describe('HistoryDetailState', () => {
	it('opens a job with its kept image and compares it with the newest other run of its template', async () => {
		const { detail, image } = await setup();
		await detail.load('new');

		expect(detail.loading).toBe(false);
		expect(detail.missing).toBe(false);
		expect(detail.job?.id).toBe('new');
		expect(detail.images).toHaveLength(1);
		expect(detail.images[0]).toMatchObject({ hash: image, filename: 'new.png' });
		expect(detail.images[0]?.url).toMatch(/^blob:/);
		expect(detail.others.map((o) => o.id)).toEqual(['mid', 'old']);
		expect(detail.compareId).toBe('mid');
		expect(detail.diff).toEqual([{ key: 'width', left: 64, right: 32 }]);

		await detail.compare('old');
		expect(detail.diff).toEqual([{ key: 'width', left: 64, right: 16 }]);
		await detail.compare('');
		expect(detail.diff).toBeUndefined();
		detail.dispose();
		expect(detail.images).toEqual([]);
	});

	it('keeps the other run’s video, sound and picture to compare when both runs made one of each', async () => {
		const { db, detail } = await setup();
		const kept = (bytes: string, type: string) => putImage(db, { blob: new Blob([bytes], { type }) });
		const results = async (id: string) => [
			{ filename: `${id}.png`, subfolder: '', type: 'output', hash: await kept(`${id} png`, 'image/png') },
			{
				filename: `${id}.mp4`,
				subfolder: '',
				type: 'output',
				kind: 'video' as const,
				hash: await kept(`${id} mp4`, 'video/mp4')
			},
			{
				filename: `${id}.flac`,
				subfolder: 'audio',
				type: 'output',
				kind: 'audio' as const,
				hash: await kept(`${id} flac`, 'audio/flac')
			}
		];
		for (const [id, createdAt] of [
			['clip-a', 10],
			['clip-b', 11]
		] as const) {
			const base = job(id, { createdAt, width: createdAt });
			await putJob(db, { ...base, app: { ...base.app!, images: await results(id) } });
		}

		await detail.load('clip-b');
		expect(detail.compareId).toBe('clip-a');
		expect(detail.compared.map((c) => [c.compareKind, c.filename, c.blob?.type])).toEqual([
			['VIDEO', 'clip-a.mp4', 'video/mp4'],
			['AUDIO', 'clip-a.flac', 'audio/flac'],
			['IMAGE', 'clip-a.png', 'image/png']
		]);
		expect(detail.compared.every((c) => c.url.startsWith('blob:'))).toBe(true);
		await detail.compare('');
		expect(detail.compared).toEqual([]);
		detail.dispose();
	});

	it('says when no job has the id', async () => {
		const { detail } = await setup();
		await detail.load('deleted-elsewhere');
		expect(detail.missing).toBe(true);
		expect(detail.job).toBeUndefined();
		expect(detail.images).toEqual([]);
	});

	it('saves tags and a note, and tells the other history views', async () => {
		const { detail, db, jobs } = await setup();
		await detail.load('old');
		const before = jobs.historyVersion;

		await detail.saveTags(' sky, Sky ,night ');
		expect(detail.message).toBe('Tags saved.');
		await detail.saveNote('first try');
		expect(detail.message).toBe('Note saved.');

		const stored = await getJob(db, 'old');
		expect(stored?.app.tags).toEqual(['sky', 'night']);
		expect(stored?.app.note).toBe('first try');
		expect(jobs.historyVersion).toBe(before + 2);
	});

	it('offers the one kept image for download, and says when none is kept', async () => {
		const { detail } = await setup();
		await detail.load('new');
		const file = await detail.download();
		expect(file?.name).toBe('new.png');
		expect(await file?.blob.text()).toBe('png bytes');

		await detail.load('old');
		expect(await detail.download()).toBeUndefined();
		expect(detail.error).toBe('No image of this generation is kept in this browser.');
	});

	it('links to its template’s form prefilled with its parameters, or says the template is gone', async () => {
		const { detail, db } = await setup();
		await detail.load('mid');
		const link = await detail.editLink();
		expect(link).toMatch(new RegExp(`^#/generate/${TEMPLATE.id}\\?`));
		expect(decodeFormState({ hash: link ?? '', parameters: TEMPLATE.parameters })).toMatchObject({
			ok: true,
			values: { width: 32 }
		});

		await putJob(db, { ...job('orphan', { createdAt: 4, width: 8 }), app: { templateId: 'gone' } });
		await detail.load('orphan');
		expect(await detail.editLink()).toBeUndefined();
		expect(detail.error).toBe('The template "gone" is no longer in this browser.');
	});

	it('deletes the job with its image', async () => {
		const { detail, db, image } = await setup();
		await detail.load('new');
		expect(await detail.remove()).toBe(true);
		expect(await getJob(db, 'new')).toBeUndefined();
		expect(await getImage(db, image)).toBeUndefined();
		expect(detail.busy).toBe(false);
	});

	it('will not run again on a server that is no longer configured', async () => {
		const { detail } = await setup();
		await detail.load('new');
		expect(await detail.runAgain()).toBeUndefined();
		expect(detail.error).toMatch(/no longer configured/);
	});
});

describe('HistoryDetailState run again', () => {
	const sim = useSimulator();
	// Node 20 has no WebSocket of its own; the app's clients use the global one.
	beforeAll(() => void vi.stubGlobal('WebSocket', WebSocket));
	afterAll(() => void vi.unstubAllGlobals());

	it('sends the same workflow to the same server as a new job that keeps its template, parameters and style', async () => {
		const server: ServerView = { id: 's1', name: 'Simulator', baseUrl: sim.url, order: 0, createdAt: 1 };
		const { detail, db, jobs } = await setup({ servers: [server] });
		await detail.load('new');

		const id = await detail.runAgain();

		expect(detail.error).toBe('');
		expect(id).toBeDefined();
		expect(id).not.toBe('new');
		const again = await getJob(db, id ?? '');
		expect(again?.workflow).toEqual(WORKFLOW);
		expect(again?.serverId).toBe('s1');
		expect(again?.app).toMatchObject({ templateId: TEMPLATE.id, parameters: { width: 64 }, style: 'flat' });
		await vi.waitFor(() => expect(jobs.byId[id ?? '']?.status).toBe('succeeded'), { timeout: 10_000 });
		await jobs.close();
	});

	it('runs a video run again with the same video input, restores it on its form, and ends with a video', async () => {
		const server: ServerView = { id: 's1', name: 'Simulator', baseUrl: sim.url, order: 0, createdAt: 1 };
		// The input, uploaded as the form uploads a picked file.
		const form = new FormData();
		form.append('image', new Blob([MP4], { type: 'video/mp4' }), 'waves.mp4');
		expect((await fetch(`${sim.url}/upload/image`, { method: 'POST', body: form })).ok).toBe(true);
		const { db, jobs } = await setup({ servers: [server] });
		const values = { video: 'waves.mp4' };
		const workflow = applyParameters({ api: REMIX.api, parameters: REMIX.parameters, values }).api;
		const clip = await putImage(db, { blob: new Blob([MP4], { type: 'video/mp4' }), kind: 'video' });
		await putJob(db, {
			...job('clip', { createdAt: 5, width: 0 }),
			workflow,
			app: {
				templateId: REMIX.id,
				templateName: REMIX.name,
				parameters: values,
				images: [
					{
						filename: 'ComfyDeck-again_00001_.mp4',
						subfolder: 'video',
						type: 'output',
						kind: 'video',
						hash: clip
					}
				]
			}
		});
		const templates = { get: (id: string) => Promise.resolve(id === REMIX.id ? REMIX : undefined) };
		const detail = new HistoryDetailState({
			app: { db: Promise.resolve(db), jobs, servers: [server] },
			templates
		});
		await detail.load('clip');
		expect(detail.images.map((i) => [i.filename, i.kind])).toEqual([['ComfyDeck-again_00001_.mp4', 'video']]);

		// "Edit and run" opens its form with the same video picked.
		expect(
			decodeFormState({ hash: (await detail.editLink()) ?? '', parameters: REMIX.parameters })
		).toMatchObject({ ok: true, values });

		// "Run again" sends it with the same video, and the server's answer is kept as a video.
		const id = (await detail.runAgain()) ?? '';
		expect(detail.error).toBe('');
		const again = await getJob(db, id);
		expect(again?.workflow['1']?.inputs).toEqual({ file: 'waves.mp4' });
		expect(again?.app).toMatchObject({ templateId: REMIX.id, parameters: values });
		await vi.waitFor(async () => expect((await getJob(db, id))?.app.images?.[0]?.hash).toBeTruthy(), {
			timeout: 10_000
		});
		const [result] = (await getJob(db, id))?.app.images ?? [];
		expect(result).toMatchObject({ subfolder: 'video', kind: 'video', mime: 'video/mp4' });
		// The video it loaded, saved again.
		const stored = await getImage(db, result?.hash ?? '');
		expect(Buffer.from(await stored!.blob.arrayBuffer()).equals(MP4)).toBe(true);
		await detail.load(id);
		expect(detail.images.map((i) => i.kind)).toEqual(['video']);
		detail.dispose();
		await jobs.close();
	});
});
