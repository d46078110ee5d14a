import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from './index';
import { invertPrompt, openSocket, postJson, quietSimulator, type Frame } from './test-helpers';

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

function url(path: string): string {
	if (!sim) throw new Error('no simulator');
	return `${sim.url}${path}`;
}

const getJson = async (path: string) => (await fetch(url(path))).json() as Promise<Record<string, unknown>>;

function slow(steps: number, prefix: string) {
	return {
		'10': {
			class_type: 'TestSlowImage',
			inputs: {
				width: 8,
				height: 8,
				steps,
				seconds_per_step: 0.2,
				seed: steps,
				preview_format: 'JPEG',
				send_previews: false
			}
		},
		'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: prefix } }
	};
}

async function post(prompt: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	const res = await postJson(url('/prompt'), { prompt, client_id: 'q', ...extra });
	return res.body as { prompt_id: string; number: number };
}

const finished = (id: string) => (frames: Frame[]) =>
	frames.some((f) => f.type === 'executing' && f.data?.['node'] === null && f.data?.['prompt_id'] === id);

describe('queue, history and jobs', () => {
	it('numbers prompts, runs front prompts next, deletes and clears only pending ones', async () => {
		sim = await quietSimulator({ timeScale: 0.5 });
		const socket = await openSocket(sim.url, { clientId: 'q' });
		const p1 = await post(slow(4, 'q/1'));
		const p2 = await post(slow(1, 'q/2'));
		const p3 = await post(slow(1, 'q/3'));
		expect([p1.number, p2.number, p3.number]).toEqual([0, 1, 2]);
		const queue = await getJson('/queue');
		expect((queue['queue_running'] as unknown[][]).map((item) => item[1])).toEqual([p1.prompt_id]);
		expect((queue['queue_pending'] as unknown[][]).map((item) => item[1])).toEqual([
			p2.prompt_id,
			p3.prompt_id
		]);
		expect((queue['queue_pending'] as unknown[][])[0]).toHaveLength(5);
		const jobs = (await getJson('/api/jobs?status=pending,in_progress'))['jobs'] as Array<
			Record<string, unknown>
		>;
		expect(jobs.map((j) => j['status']).sort()).toEqual(['in_progress', 'pending', 'pending']);
		const before = socket.frames.length;
		// The running prompt's progress frames may come first: the delete is told by the next status frame.
		const isStatus = (f: { type: string }) => f.type === 'status';
		await postJson(url('/queue'), { delete: [p3.prompt_id] });
		await socket.waitFor((f) => f.slice(before).some(isStatus));
		expect(socket.frames.slice(before).find(isStatus)).toEqual({
			type: 'status',
			data: { status: { exec_info: { queue_remaining: 2 } } }
		});
		const p4 = await post(slow(1, 'q/4'), { front: true });
		expect(p4.number).toBe(-3);
		await postJson(url('/queue'), { delete: [p1.prompt_id] });
		expect(((await getJson('/queue'))['queue_running'] as unknown[][])[0]?.[1]).toBe(p1.prompt_id);
		await socket.waitFor(finished(p2.prompt_id), 10000);
		const starts = socket.frames
			.filter((f) => f.type === 'execution_start')
			.map((f) => f.data?.['prompt_id']);
		expect(starts).toEqual([p1.prompt_id, p4.prompt_id, p2.prompt_id]);
		const p5 = await post(slow(2, 'q/5'));
		await post(slow(1, 'q/6'));
		await postJson(url('/queue'), { clear: true });
		const cleared = await getJson('/queue');
		expect(cleared['queue_pending']).toEqual([]);
		expect((cleared['queue_running'] as unknown[][])[0]?.[1]).toBe(p5.prompt_id);
		await socket.waitFor(finished(p5.prompt_id), 10000);
		expect(Object.keys(await getJson('/history'))).toHaveLength(4);
		expect(Object.keys(await getJson('/history?max_items=1'))).toEqual([p5.prompt_id]);
		await postJson(url('/history'), { delete: [p1.prompt_id] });
		expect(await getJson(`/history/${p1.prompt_id}`)).toEqual({});
		await postJson(url('/history'), { clear: true });
		expect(await getJson('/history')).toEqual({});
		expect(((await getJson('/api/jobs'))['jobs'] as unknown[]).length).toBe(0);
		await socket.close();
	});

	it('rejects a bad job status filter and an unknown job id', async () => {
		sim = await quietSimulator();
		const bad = await fetch(url('/api/jobs?status=bogus'));
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({
			error: 'Invalid status value(s): bogus. Valid values: pending, in_progress, completed, failed'
		});
		const missing = await fetch(url('/api/jobs/00000000-0000-0000-0000-000000000000'));
		expect(missing.status).toBe(404);
		expect(await missing.json()).toEqual({ error: 'Job not found' });
	});

	it('interrupts globally and by prompt id, ignoring a wrong id', async () => {
		sim = await quietSimulator({ timeScale: 0.05 });
		const socket = await openSocket(sim.url, { clientId: 'q' });
		const first = await post(slow(50, 'q/i1'));
		await socket.waitFor((f) => f.some((x) => x.type === 'progress'));
		expect((await fetch(url('/interrupt'), { method: 'POST' })).status).toBe(200);
		await socket.waitFor(finished(first.prompt_id));
		const interrupted = socket.frames.find((f) => f.type === 'execution_interrupted');
		expect(interrupted?.data).toMatchObject({
			prompt_id: first.prompt_id,
			node_id: '10',
			node_type: 'TestSlowImage',
			executed: []
		});
		const history = (await getJson(`/history/${first.prompt_id}`))[first.prompt_id] as Record<
			string,
			Record<string, unknown>
		>;
		expect(history['status']?.['status_str']).toBe('error');
		expect(((await getJson(`/api/jobs/${first.prompt_id}`)) as Record<string, unknown>)['status']).toBe(
			'failed'
		);
		const second = await post(slow(8, 'q/i2'));
		await postJson(url('/interrupt'), { prompt_id: '00000000-0000-0000-0000-000000000000' });
		await postJson(url('/interrupt'), { prompt_id: second.prompt_id });
		await socket.waitFor(finished(second.prompt_id));
		expect(socket.frames.filter((f) => f.type === 'execution_interrupted')).toHaveLength(2);
		await socket.close();
	});
});

async function upload(fields: Record<string, string>, file?: { name: string; bytes: Buffer; type?: string }) {
	const form = new FormData();
	if (file)
		form.append(
			'image',
			new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'image/png' }),
			file.name
		);
	for (const [key, value] of Object.entries(fields)) form.append(key, value);
	const res = await fetch(url('/upload/image'), { method: 'POST', body: form });
	return {
		status: res.status,
		body: res.status === 200 ? ((await res.json()) as Record<string, string>) : null
	};
}

describe('uploads and /view', () => {
	it('with an output folder on disk, serves what a killed process saved after it starts again, numbering on', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'sim-output-'));
		try {
			sim = await quietSimulator({ outputDir: dir });
			const socket = await openSocket(sim.url, { clientId: 'q' });
			const first = await post(slow(1, 'kept/cell'));
			await socket.waitFor(finished(first.prompt_id));
			await socket.close();
			const saved = Buffer.from(
				await (await fetch(url('/view?filename=cell_00001_.png&subfolder=kept&type=output'))).arrayBuffer()
			);
			await sim.close();
			// A new process on the same folder: its history is empty, its output/ is not.
			sim = await quietSimulator({ outputDir: dir });
			expect(await getJson(`/history/${first.prompt_id}`)).toEqual({});
			const served = await fetch(url('/view?filename=cell_00001_.png&subfolder=kept&type=output'));
			expect(served.status).toBe(200);
			expect(Buffer.from(await served.arrayBuffer()).equals(saved)).toBe(true);
			const again = await openSocket(sim.url, { clientId: 'q' });
			const second = await post(slow(1, 'kept/cell'));
			const frames = await again.waitFor(finished(second.prompt_id));
			await again.close();
			const executed = frames.find(
				(f) => f.type === 'executed' && f.data?.['prompt_id'] === second.prompt_id
			);
			expect(JSON.stringify(executed?.data)).toContain('cell_00002_.png');
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('renames a same-named file with other bytes, keeps identical bytes once, and refuses escaping paths', async () => {
		sim = await quietSimulator();
		const example = Buffer.from(
			await (await fetch(url('/view?filename=example.png&type=input'))).arrayBuffer()
		);
		const other = Buffer.concat([example, Buffer.from('different')]);
		expect(
			(await upload({ subfolder: 'up', overwrite: 'true' }, { name: 'a.png', bytes: example })).body
		).toEqual({
			name: 'a.png',
			subfolder: 'up',
			type: 'input'
		});
		expect((await upload({ subfolder: 'up' }, { name: 'a.png', bytes: example })).body?.['name']).toBe(
			'a.png'
		);
		expect((await upload({ subfolder: 'up' }, { name: 'a.png', bytes: other })).body?.['name']).toBe(
			'a (1).png'
		);
		expect((await upload({ type: 'temp' }, { name: 't.png', bytes: example })).body).toEqual({
			name: 't.png',
			subfolder: '',
			type: 'temp'
		});
		expect(
			(await upload({}, { name: 'notes.txt', bytes: Buffer.from('not an image'), type: 'text/plain' })).status
		).toBe(200);
		expect((await upload({}, { name: '../x.png', bytes: example })).status).toBe(400);
		expect((await upload({ subfolder: '../..' }, { name: 'y.png', bytes: example })).status).toBe(400);
		expect((await upload({ type: 'input' })).status).toBe(400);
		await upload({}, { name: 'root.png', bytes: example });
		const info = (await getJson('/object_info/LoadImage'))['LoadImage'] as {
			input: { required: { image: unknown[] } };
		};
		expect(info.input.required.image[0]).toEqual(['example.png', 'root.png']);
	});

	it('runs LoadImage on an upload and fails at run time on a non-image file', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'q' });
		const example = Buffer.from(
			await (await fetch(url('/view?filename=example.png&type=input'))).arrayBuffer()
		);
		await upload({ subfolder: 'sub' }, { name: 'in.png', bytes: example });
		const good = await post({
			'1': { class_type: 'LoadImage', inputs: { image: 'sub/in.png' } },
			'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
			'3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'q/up' } }
		});
		await socket.waitFor(finished(good.prompt_id));
		expect(socket.frames.some((f) => f.type === 'execution_success')).toBe(true);
		await upload({}, { name: 'notes.txt', bytes: Buffer.from('this is not an image'), type: 'text/plain' });
		const bad = await post({
			'1': { class_type: 'LoadImage', inputs: { image: 'notes.txt' } },
			'2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } }
		});
		await socket.waitFor(finished(bad.prompt_id));
		const error = socket.frames.find((f) => f.type === 'execution_error')?.data;
		expect(error).toMatchObject({
			node_type: 'LoadImage',
			exception_type: 'PIL.UnidentifiedImageError',
			exception_message: "cannot identify image file 'ComfyUI/input/notes.txt'\n",
			current_inputs: { image: ['notes.txt'] }
		});
		await socket.close();
	});

	it('answers /view with 400, 403 and 404 as recorded, and converts on preview and channel', async () => {
		sim = await quietSimulator();
		expect((await fetch(url('/view?filename=does_not_exist.png&type=output&subfolder='))).status).toBe(404);
		expect((await fetch(url('/view?filename=..%2Fsecret.png&type=output'))).status).toBe(400);
		expect((await fetch(url('/view?filename=x.png&type=output&subfolder=..%2F..'))).status).toBe(403);
		expect((await fetch(url('/view?filename=x.png&type=bogus'))).status).toBe(400);
		const socket = await openSocket(sim.url, { clientId: 'q' });
		const { prompt_id } = await post(invertPrompt('v/out'));
		await socket.waitFor(finished(prompt_id));
		const plain = await fetch(url('/view?filename=out_00001_.png&subfolder=v&type=output'));
		expect(plain.headers.get('content-disposition')).toBe('filename="out_00001_.png"');
		const webp = await fetch(url('/view?filename=out_00001_.png&subfolder=v&type=output&preview=webp%3B50'));
		expect(webp.headers.get('content-type')).toBe('image/webp');
		expect(
			Buffer.from(await webp.arrayBuffer())
				.subarray(8, 12)
				.toString()
		).toBe('WEBP');
		const rgb = await fetch(url('/view?filename=out_00001_.png&subfolder=v&type=output&channel=rgb'));
		expect(rgb.headers.get('content-type')).toBe('image/png');
		expect((await fetch(url('/view?filename=v%2Fout_00001_.png+%5Boutput%5D'))).status).toBe(404);
		await socket.close();
	});
});
