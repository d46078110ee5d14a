import { readFileSync } from 'node:fs';
import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
	httpExchanges,
	loadTranscript,
	promptIds,
	recordedResponse,
	transcriptHandlers
} from '../../../tests/core/transcripts';
import { createComfyApi } from './api';
import { ComfyHttpError, ComfyValidationError } from './errors';

const BASE = 'http://127.0.0.1:8188/';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const api = () => createComfyApi({ baseUrl: BASE, retries: 0 });

describe('REST routes replayed from the recordings', () => {
	it('reads the connect-time routes (a_connect)', async () => {
		server.use(...transcriptHandlers(loadTranscript('a_connect'), BASE));
		const comfy = api();
		expect((await comfy.getSystemStats()).devices[0]?.name).toBe('cpu');
		expect(await comfy.getQueue()).toEqual({ queue_running: [], queue_pending: [] });
		expect(await comfy.getHistory({ maxItems: 5 })).toEqual({});
		expect(await comfy.getPromptInfo()).toEqual({ exec_info: { queue_remaining: 0 } });
		expect(await comfy.getFeatures()).toMatchObject({
			supports_preview_metadata: true,
			max_upload_size: 104857600
		});
		expect(await comfy.getEmbeddings()).toEqual([]);
		expect(await comfy.getModelFolders()).toContain('checkpoints');
		expect(await comfy.getModels({ folder: 'checkpoints' })).toEqual([]);
		await expect(comfy.getModels({ folder: 'not_a_folder' })).rejects.toMatchObject({ status: 404 });
		expect(await comfy.getNodeInfo({ classType: 'SaveImage' })).toMatchObject({ display_name: 'Save Image' });
		expect(await comfy.getNodeInfo({ classType: 'NoSuchNode' })).toBeUndefined();
		expect(await comfy.listJobs()).toMatchObject({ jobs: [], pagination: { total: 0 } });
		expect(await comfy.getJob({ promptId: '00000000-0000-0000-0000-000000000000' })).toBeUndefined();
		expect(comfy.hasJobsRoute).toBe(true);
	});

	it('reads the rest of a_connect: node classes of both schemas, unfiltered history, and the refusals', async () => {
		server.use(...transcriptHandlers(loadTranscript('a_connect'), BASE));
		const comfy = api();
		expect(await comfy.getHistory()).toEqual({});
		expect(await comfy.getNodeInfo({ classType: 'GetImageSize' })).toMatchObject({
			output_name: ['width', 'height', 'batch_size']
		});
		expect(await comfy.getNodeInfo({ classType: 'LoadImage' })).toMatchObject({
			input: { required: { image: [['example.png'], { image_upload: true }] } }
		});
		expect(await comfy.getNodeInfo({ classType: 'TestSlowImage' })).toMatchObject({ output_node: false });
		const badFilter = await comfy.listJobs({ status: ['bogus' as 'pending'] }).catch((e: unknown) => e);
		expect(badFilter).toMatchObject({ status: 400, body: expect.stringContaining('Invalid status value') });
		// A 400 is the route answering: the client keeps using /api/jobs rather than falling back.
		expect(comfy.hasJobsRoute).not.toBe(false);
		// /view refuses a missing file, `..` in the name, a subfolder outside the folder, and an unknown type. The
		// client always sends `subfolder` (ComfyUI reads a missing one as empty), so answer by the other parameters.
		const views = httpExchanges(loadTranscript('a_connect')).filter((e) => e.request.path === '/view');
		server.use(
			mswHttp.get(`${BASE}api/view`, ({ request }) => {
				const asked = new URL(request.url).searchParams;
				const exchange = views.find((e) =>
					['filename', 'type', 'subfolder'].every(
						(key) => (e.request.query?.[key] ?? '') === (asked.get(key) ?? '')
					)
				);
				return exchange ? recordedResponse(exchange) : undefined;
			})
		);
		const refusals = await Promise.all(
			[
				{ filename: 'does_not_exist.png', type: 'output' },
				{ filename: '../secret.png', type: 'output' },
				{ filename: 'x.png', type: 'output', subfolder: '../..' },
				{ filename: 'x.png', type: 'bogus' }
			].map((file) => comfy.view(file).catch((e: unknown) => e))
		);
		expect(refusals.map((e) => [e instanceof ComfyHttpError, (e as ComfyHttpError).status])).toEqual([
			[true, 404],
			[true, 400],
			[true, 403],
			[true, 400]
		]);
		// Its 403 is about the file, not the Origin check (which answers 403 the same way).
		expect(refusals[2]).not.toHaveProperty('diagnosis');
		expect((refusals[2] as Error).message).toContain('"../../x.png"');
	});

	it('reads a finished prompt from history and jobs, and fetches its image (b_success)', async () => {
		const transcript = loadTranscript('b_success');
		server.use(...transcriptHandlers(transcript, BASE));
		const [promptId = ''] = promptIds(transcript);
		const comfy = api();
		const entry = await comfy.getHistoryEntry({ promptId });
		expect(entry?.status).toMatchObject({ status_str: 'success', completed: true });
		expect(entry?.outputs['3']?.images).toEqual([
			{ filename: 'success_00001_.png', subfolder: 'harness', type: 'output' }
		]);
		const job = await comfy.getJob({ promptId });
		expect(job).toMatchObject({ id: promptId, status: 'completed', outputs_count: 1 });
		const file = { filename: 'success_00001_.png', subfolder: 'harness', type: 'output' } as const;
		const blob = await comfy.view(file);
		expect(blob.type).toBe('image/png');
		expect(new Uint8Array(await blob.slice(0, 4).arrayBuffer())).toEqual(
			new Uint8Array([0x89, 0x50, 0x4e, 0x47])
		);
		expect((await comfy.view({ ...file, preview: 'webp;50' })).type).toBe('image/webp');
		expect(comfy.viewUrl({ ...file, preview: 'webp;50' })).toBe(
			`${BASE}api/view?filename=success_00001_.png&subfolder=harness&type=output&preview=webp%3B50`
		);
	});

	it('turns every recorded 400 into a validation error naming node, class, input and type (f_validation_errors)', async () => {
		server.use(...transcriptHandlers(loadTranscript('f_validation_errors'), BASE));
		const comfy = api();
		const prompt = { '1': { class_type: 'EmptyImage', inputs: {} } };
		// The recorded answers come back in the recorded order: first the 500 for a body that was not JSON.
		const first = await comfy.queuePrompt({ prompt }).catch((e: unknown) => e);
		expect(first).toBeInstanceOf(ComfyHttpError);
		expect(first).toMatchObject({ status: 500 });
		expect((first as Error).message).toContain('Server got itself in trouble');

		const errors: ComfyValidationError[] = [];
		for (let i = 0; i < 13; i++) {
			const error = await comfy.queuePrompt({ prompt }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ComfyValidationError);
			errors.push(error as ComfyValidationError);
		}
		expect(errors.map((e) => e.type)).toEqual([
			'no_prompt',
			'invalid_prompt',
			'invalid_prompt',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_no_outputs',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation',
			'prompt_outputs_failed_validation'
		]);
		expect(errors[1]?.issues).toEqual([
			{
				nodeId: '2',
				type: 'invalid_prompt',
				message: 'Cannot execute because node NoSuchNodeClass does not exist.',
				details: ''
			}
		]);
		expect(errors[4]?.issues).toEqual([
			{
				nodeId: '1',
				classType: 'EmptyImage',
				inputName: 'width',
				type: 'value_smaller_than_min',
				message: 'Value 0 smaller than min of 1',
				details: 'width'
			}
		]);
		expect(errors[4]?.message).toBe(
			'ComfyUI refused the workflow: Prompt outputs failed validation. Node 1 (EmptyImage), input "width": Value 0 smaller than min of 1.'
		);
		expect(errors[10]?.issues[0]).toMatchObject({ inputName: 'preview_format', type: 'value_not_in_list' });
		// One good and one bad output: accepted, the bad part reported in node_errors.
		const accepted = await comfy.queuePrompt({ prompt });
		expect(accepted.prompt_id).toBe('c2e31a49-0b57-4caa-a805-4047f0cb0957');
		expect(Object.keys(accepted.node_errors)).toEqual(['4']);
	});

	it('sends the queue, interrupt, history and free calls as ComfyUI expects', async () => {
		const bodies: [string, unknown][] = [];
		const record = (path: string) =>
			mswHttp.post(`${BASE}api/${path}`, async ({ request }) => {
				bodies.push([path, await request.json()]);
				return new HttpResponse(null, { status: 200 });
			});
		server.use(record('queue'), record('interrupt'), record('history'), record('free'));
		const comfy = api();
		await comfy.deleteFromQueue({ promptIds: ['a'] });
		await comfy.clearQueue();
		await comfy.interrupt();
		await comfy.interrupt({ promptId: 'p1' });
		await comfy.deleteHistory({ promptIds: ['b'] });
		await comfy.clearHistory();
		await comfy.free({ unloadModels: true });
		expect(bodies).toEqual([
			['queue', { delete: ['a'] }],
			['queue', { clear: true }],
			['interrupt', {}],
			['interrupt', { prompt_id: 'p1' }],
			['history', { delete: ['b'] }],
			['history', { clear: true }],
			['free', { unload_models: true, free_memory: false }]
		]);
	});

	it('sends the prompt with the client-chosen id, client id and extra data', async () => {
		let body: unknown;
		server.use(
			mswHttp.post(`${BASE}api/prompt`, async ({ request }) => {
				body = await request.json();
				return HttpResponse.json({ prompt_id: 'abc', number: 3, node_errors: {} });
			})
		);
		const prompt = { '3': { class_type: 'SaveImage', inputs: {} } };
		await api().queuePrompt({
			prompt,
			clientId: 'c1',
			promptId: 'abc',
			front: true,
			extraData: { extra_pnginfo: { workflow: {} } }
		});
		expect(body).toEqual({
			prompt,
			client_id: 'c1',
			prompt_id: 'abc',
			front: true,
			extra_data: { extra_pnginfo: { workflow: {} } }
		});
	});

	it('uploads images and masks as multipart (i_upload)', async () => {
		const forms: Record<string, string>[] = [];
		server.use(
			mswHttp.post(`${BASE}api/upload/:kind`, async ({ request }) => {
				const form = await request.formData();
				const fields: Record<string, string> = {};
				form.forEach((value, key) => {
					fields[key] = typeof value === 'string' ? value : `file:${value.name}:${value.size}`;
				});
				forms.push(fields);
				return HttpResponse.json({ name: 'harness_upload (1).png', subfolder: 'harness', type: 'input' });
			})
		);
		const comfy = api();
		const file = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' });
		const uploaded = await comfy.uploadImage({
			file,
			filename: 'harness_upload.png',
			subfolder: 'harness',
			overwrite: true
		});
		expect(uploaded).toEqual({ name: 'harness_upload (1).png', subfolder: 'harness', type: 'input' });
		await comfy.uploadMask({
			file,
			filename: 'mask.png',
			originalRef: { filename: 'a.png', subfolder: '', type: 'input' }
		});
		expect(forms).toEqual([
			{ image: 'file:harness_upload.png:4', type: 'input', subfolder: 'harness', overwrite: 'true' },
			{
				image: 'file:mask.png:4',
				type: 'input',
				original_ref: '{"filename":"a.png","subfolder":"","type":"input"}'
			}
		]);
	});

	it('reads every node class of the recorded object_info', async () => {
		const objectInfo: unknown = JSON.parse(
			readFileSync(new URL('../../../tests/fixtures/comfyui/object_info.json', import.meta.url), 'utf8')
		);
		server.use(
			mswHttp.get(`${BASE}api/object_info`, () => HttpResponse.json(objectInfo as Record<string, unknown>))
		);
		const info = await api().getObjectInfo();
		expect(Object.keys(info)).toHaveLength(572);
		expect(info.TestSlowImage?.input.required).toHaveProperty('steps');
	});
});

describe('servers without /api/jobs', () => {
	it('builds job lists and job details from the queue and history', async () => {
		const transcript = loadTranscript('b_success');
		const [doneId = ''] = promptIds(transcript);
		const history = transcript.timeline.find(
			(e) => e.kind === 'http' && e.request.path === `/history/${doneId}`
		);
		const historyJson = history?.kind === 'http' ? history.response.json : {};
		const queued = [7, 'queued-id', {}, { client_id: 'c', create_time: 5 }, ['3']];
		server.use(
			mswHttp.get(`${BASE}api/jobs`, () => new HttpResponse('404: Not Found', { status: 404 })),
			mswHttp.get(`${BASE}api/jobs/:id`, () => new HttpResponse('404: Not Found', { status: 404 })),
			mswHttp.get(`${BASE}api/queue`, () =>
				HttpResponse.json({ queue_running: [], queue_pending: [queued] })
			),
			mswHttp.get(`${BASE}api/history`, () => HttpResponse.json(historyJson as Record<string, unknown>)),
			mswHttp.get(`${BASE}api/history/:id`, ({ params }) =>
				HttpResponse.json(params.id === doneId ? (historyJson as Record<string, unknown>) : {})
			)
		);
		const comfy = api();
		const list = await comfy.listJobs();
		expect(list.jobs.map((j) => [j.id, j.status])).toEqual([
			['queued-id', 'pending'],
			[doneId, 'completed']
		]);
		expect(comfy.hasJobsRoute).toBe(false);
		expect(await comfy.getJob({ promptId: doneId })).toMatchObject({ status: 'completed', outputs_count: 1 });
		expect(await comfy.getJob({ promptId: 'queued-id' })).toMatchObject({ status: 'pending', priority: 7 });
		expect(await comfy.getJob({ promptId: 'unknown' })).toBeUndefined();
		expect((await comfy.listJobs({ status: ['completed'] })).jobs).toHaveLength(1);
	});
});

describe('whether a file is still on the server', () => {
	it('asks /view for one byte, and reads a 404 as gone', async () => {
		const asked: { filename: string | null; type: string | null; range: string | null }[] = [];
		server.use(
			mswHttp.get(`${BASE}api/view`, ({ request }) => {
				const url = new URL(request.url);
				const filename = url.searchParams.get('filename');
				asked.push({ filename, type: url.searchParams.get('type'), range: request.headers.get('range') });
				// As ComfyUI answers (m_media.json's Range request, a_connect's missing file).
				if (filename !== 'harness_media_00001_.mp4') return new HttpResponse(null, { status: 404 });
				return new HttpResponse(new Uint8Array([0]), {
					status: 206,
					headers: { 'Content-Type': 'video/mp4', 'Content-Range': 'bytes 0-0/2912' }
				});
			})
		);
		const comfy = api();
		expect(
			await comfy.hasFile({ filename: 'harness_media_00001_.mp4', subfolder: 'video', type: 'output' })
		).toBe(true);
		expect(await comfy.hasFile({ filename: 'does_not_exist.png', type: 'output' })).toBe(false);
		expect(asked).toEqual([
			{ filename: 'harness_media_00001_.mp4', type: 'output', range: 'bytes=0-0' },
			{ filename: 'does_not_exist.png', type: 'output', range: 'bytes=0-0' }
		]);

		server.use(mswHttp.get(`${BASE}api/view`, () => new HttpResponse('boom', { status: 500 })));
		await expect(comfy.hasFile({ filename: 'x.png' })).rejects.toMatchObject({ status: 500 });
	});
});
