import { afterEach, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { pngTextChunks } from './image';
import type { RunningSimulator } from './index';
import {
	invertPrompt,
	openSocket,
	postJson,
	quietSimulator,
	type Frame,
	type TestSocket
} from './test-helpers';

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

const done = (promptId?: string) => (frames: Frame[]) =>
	frames.some(
		(f) =>
			f.type === 'executing' && f.data?.['node'] === null && (!promptId || f.data?.['prompt_id'] === promptId)
	);

async function run(socket: TestSocket, prompt: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	if (!sim) throw new Error('no simulator');
	const start = socket.frames.length;
	const res = await postJson(`${sim.url}/prompt`, { prompt, client_id: socket.clientId, ...extra });
	expect(res.status).toBe(200);
	const id = (res.body as { prompt_id: string }).prompt_id;
	await socket.waitFor((frames) => done(id)(frames.slice(start)));
	return { id, frames: socket.frames.slice(start) };
}

function slowPrompt(
	options: { steps?: number; format?: 'JPEG' | 'PNG'; seed?: number; prefix?: string } = {}
) {
	return {
		'10': {
			class_type: 'TestSlowImage',
			inputs: {
				width: 64,
				height: 48,
				steps: options.steps ?? 3,
				seconds_per_step: 0.2,
				seed: options.seed ?? 101,
				preview_format: options.format ?? 'JPEG',
				send_previews: true
			}
		},
		'11': {
			class_type: 'SaveImage',
			inputs: { images: ['10', 0], filename_prefix: options.prefix ?? 'test/slow' }
		}
	};
}

describe('a run on the wire', () => {
	it('sends the recorded sequence, then a cached re-run lists every node and re-sends only executed', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-a' });
		const first = await run(socket, invertPrompt());
		expect(first.frames.map((f) => f.type)).toEqual([
			'status',
			'status',
			'execution_start',
			'execution_cached',
			'progress_state',
			'executing',
			'progress_state',
			'progress_state',
			'executing',
			'progress_state',
			'progress_state',
			'executing',
			'executed',
			'progress_state',
			'execution_success',
			'status',
			'executing'
		]);
		expect(first.frames.filter((f) => f.type === 'execution_start')[0]?.data?.['timestamp']).toEqual(
			expect.any(Number)
		);
		const second = await run(socket, invertPrompt());
		expect(second.frames.map((f) => f.type)).toEqual([
			'status',
			'status',
			'execution_start',
			'execution_cached',
			'executed',
			'progress_state',
			'execution_success',
			'status',
			'executing'
		]);
		expect(second.frames[3]?.data?.['nodes']).toEqual(['1', '2', '3']);
		const executed = (frames: Frame[]) => frames.find((f) => f.type === 'executed')?.data?.['output'];
		expect(executed(second.frames)).toEqual(executed(first.frames));
		await socket.close();
	});

	it('saves PNGs with the prompt and workflow tEXt chunks and lists them in history and jobs', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-b' });
		const workflow = { last_node_id: 3, nodes: [], note: 'café' };
		const { id } = await run(socket, invertPrompt('deck/out', 96, 64), {
			extra_data: { extra_pnginfo: { workflow } }
		});
		const history = (await (await fetch(`${sim.url}/history/${id}`)).json()) as Record<
			string,
			Record<string, unknown>
		>;
		const outputs = history[id]?.['outputs'] as Record<string, { images: Array<Record<string, string>> }>;
		const file = outputs['3']?.images[0];
		expect(file).toEqual({ filename: 'out_00001_.png', subfolder: 'deck', type: 'output' });
		const view = await fetch(`${sim.url}/api/view?filename=out_00001_.png&subfolder=deck&type=output`);
		expect(view.headers.get('content-type')).toBe('image/png');
		const png = Buffer.from(await view.arrayBuffer());
		expect(PNG.sync.read(png).width).toBe(96);
		const text = pngTextChunks(png);
		expect(JSON.parse(text['workflow'] ?? '{}')).toEqual(workflow);
		expect(JSON.parse(text['prompt'] ?? '{}')).toEqual(invertPrompt('deck/out', 96, 64));
		const job = (await (await fetch(`${sim.url}/api/jobs/${id}`)).json()) as Record<string, unknown>;
		expect(job['status']).toBe('completed');
		expect(job['preview_output']).toEqual({ ...file, nodeId: '3', mediaType: 'images' });
		await socket.close();
	});

	it('sends progress then a JPEG (format 1) or PNG (format 2) preview scaled to 512 px', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-c' });
		const jpegRun = await run(socket, slowPrompt({ format: 'JPEG' }));
		const types = jpegRun.frames.map((f) => f.type);
		expect(types.slice(4, 11)).toEqual([
			'progress_state',
			'executing',
			'progress_state',
			'progress',
			'binary:1',
			'progress_state',
			'progress'
		]);
		const preview = jpegRun.frames.find((f) => f.type === 'binary:1')?.bytes;
		expect(preview?.readUInt32BE(4)).toBe(1);
		const decoded = jpeg.decode(preview?.subarray(8) ?? Buffer.alloc(0));
		expect([decoded.width, decoded.height]).toEqual([512, 384]);
		const pngRun = await run(socket, slowPrompt({ format: 'PNG', seed: 7 }));
		const pngPreview = pngRun.frames.find((f) => f.type === 'binary:1')?.bytes;
		expect(pngPreview?.readUInt32BE(4)).toBe(2);
		expect(PNG.sync.read(pngPreview?.subarray(8) ?? Buffer.alloc(0)).width).toBe(512);
		await socket.close();
	});

	it('sends previews as event 4 with metadata before progress once feature flags are negotiated', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-d' });
		socket.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
		await socket.waitFor((f) => f.some((x) => x.type === 'feature_flags'));
		const { id, frames } = await run(socket, slowPrompt({ steps: 2 }));
		const types = frames.map((f) => f.type);
		expect(types.slice(6, 9)).toEqual(['progress_state', 'binary:4', 'progress']);
		const bytes = frames.find((f) => f.type === 'binary:4')?.bytes ?? Buffer.alloc(0);
		const length = bytes.readUInt32BE(4);
		const metadata = JSON.parse(bytes.subarray(8, 8 + length).toString()) as Record<string, unknown>;
		expect(metadata).toEqual({
			node_id: '10',
			prompt_id: id,
			display_node_id: '10',
			parent_node_id: null,
			real_node_id: '10',
			image_type: 'image/jpeg'
		});
		expect(jpeg.decode(bytes.subarray(8 + length)).width).toBe(512);
		await socket.close();
	});

	it('reports a failing node with execution_error, and the upstream node comes from the cache next time', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-e' });
		const prompt = {
			'1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: 1056816 } },
			'2': { class_type: 'TestFail', inputs: { message: 'boom', image: ['1', 0] } },
			'3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'test/fail' } }
		};
		const first = await run(socket, prompt);
		const error = first.frames.find((f) => f.type === 'execution_error')?.data ?? {};
		expect(error).toMatchObject({
			node_id: '2',
			node_type: 'TestFail',
			executed: ['1'],
			exception_message: 'boom\n',
			exception_type: 'RuntimeError',
			current_outputs: ['1', '2', '3']
		});
		expect((error['current_inputs'] as Record<string, string[]>)['image']?.[0]).toMatch(
			/^tensor\(\[\[\[\[0\.0627, 0\.1255, 0\.1882\],/
		);
		expect(first.frames.map((f) => f.type).slice(-3)).toEqual(['execution_error', 'status', 'executing']);
		const second = await run(socket, prompt);
		expect(second.frames.find((f) => f.type === 'execution_cached')?.data?.['nodes']).toEqual(['1']);
		const job = (await (await fetch(`${sim.url}/api/jobs/${second.id}`)).json()) as Record<string, unknown>;
		expect(job['status']).toBe('failed');
		await socket.close();
	});

	it('runs TestNoCache every time, broadcasts progress text and custom events, and streams SaveImageWebsocket', async () => {
		sim = await quietSimulator();
		const socket = await openSocket(sim.url, { clientId: 'client-f' });
		const prompt = {
			'1': { class_type: 'EmptyImage', inputs: { width: 24, height: 12, batch_size: 2, color: 16746496 } },
			'2': { class_type: 'TestShowText', inputs: { text: 'hello', image: ['1', 0] } },
			'3': { class_type: 'GetImageSize', inputs: { image: ['1', 0] } },
			'4': { class_type: 'PreviewAny', inputs: { source: ['3', 0] } },
			'5': { class_type: 'TestNoCache', inputs: { label: 'nocache' } },
			'6': { class_type: 'SaveImageWebsocket', inputs: { images: ['1', 0] } }
		};
		const first = await run(socket, prompt);
		const executing = first.frames
			.filter((f) => f.type === 'executing' && f.data?.['node'])
			.map((f) => f.data?.['node']);
		// Output nodes in prompt order (a real server uses Python set order, which varies per process).
		expect(executing).toEqual(['5', '1', '2', '6', '3', '4']);
		expect(first.frames.find((f) => f.type === 'test_nodes.custom')?.data).toEqual({
			node: '2',
			text: 'hello'
		});
		const text = first.frames.find((f) => f.type === 'binary:3')?.bytes ?? Buffer.alloc(0);
		expect(text.subarray(9).toString()).toBe('width: 24, height: 12\n batch size: 2');
		const shown = first.frames.find((f) => f.type === 'executed' && f.data?.['node'] === '2')?.data?.[
			'output'
		];
		expect(shown).toEqual({ text: ['hello', 'image shape: [2, 12, 24, 3]'] });
		expect(first.frames.filter((f) => f.type === 'binary:1')).toHaveLength(2);
		const second = await run(socket, prompt);
		expect(second.frames.find((f) => f.type === 'execution_cached')?.data?.['nodes']).toEqual([
			'1',
			'2',
			'3',
			'4'
		]);
		const rerun = second.frames
			.filter((f) => f.type === 'executing' && f.data?.['node'])
			.map((f) => f.data?.['node']);
		expect(rerun).toEqual(['5', '6']);
		await socket.close();
	});
});

describe('client ids', () => {
	it('re-sends executing without prompt_id to a client that reconnects mid-run', async () => {
		sim = await quietSimulator({ timeScale: 0.05 });
		const first = await openSocket(sim.url, { clientId: 'again' });
		const res = await postJson(`${sim.url}/prompt`, { prompt: slowPrompt({ steps: 8 }), client_id: 'again' });
		const id = (res.body as { prompt_id: string }).prompt_id;
		await first.waitFor((f) => f.some((x) => x.type === 'progress'));
		await first.close();
		const second = await openSocket(sim.url, { clientId: 'again' });
		const frames = await second.waitFor(done(id));
		expect(frames[0]?.type).toBe('status');
		expect(frames[1]).toEqual({ type: 'executing', data: { node: '10' } });
		const other = await openSocket(sim.url, { clientId: 'someone-else' });
		await other.waitFor((f) => f.length > 0);
		expect(other.frames.every((f) => f.type === 'status')).toBe(true);
		await second.close();
		await other.close();
	});

	it('lets the newest socket of an id win, and forgets the id when the older one closes', async () => {
		sim = await quietSimulator();
		const older = await openSocket(sim.url, { clientId: 'dup' });
		const newer = await openSocket(sim.url, { clientId: 'dup' });
		await newer.waitFor((f) => f.length >= 1);
		await run(newer, invertPrompt('test/dup1'));
		expect(older.frames.map((f) => f.type)).toEqual(['status']);
		await older.close();
		const before = newer.frames.length;
		const res = await postJson(`${sim.url}/prompt`, {
			prompt: invertPrompt('test/dup2', 21),
			client_id: 'dup'
		});
		const id = (res.body as { prompt_id: string }).prompt_id;
		for (let i = 0; i < 200; i++) {
			const history = (await (await fetch(`${sim.url}/history/${id}`)).json()) as Record<string, unknown>;
			if (history[id]) break;
			await new Promise((r) => setTimeout(r, 5));
		}
		expect(newer.frames.length).toBe(before);
		await newer.close();
	});
});
