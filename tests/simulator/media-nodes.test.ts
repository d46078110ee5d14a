// The media nodes beyond what conformance replays: ranges a player asks for, the loaders' file lists, an
// upload of a video used by LoadVideo, and a still WebP from one frame.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from './index';
import { openSocket, postJson, quietSimulator } from './test-helpers';

const MP4 = readFileSync(new URL('../fixtures/comfyui/media/harness_media_00001_.mp4', import.meta.url));

let sim: RunningSimulator | null = null;
afterEach(async () => {
	await sim?.close();
	sim = null;
});

async function run(prompt: Record<string, unknown>): Promise<Record<string, Record<string, unknown>>> {
	if (!sim) throw new Error('no simulator');
	const socket = await openSocket(sim.url, { clientId: 'media' });
	const answer = await postJson(`${sim.url}/prompt`, { prompt, client_id: 'media' });
	const { prompt_id: id } = answer.body as { prompt_id: string };
	await socket.waitFor((frames) => frames.some((f) => f.type === 'execution_success'));
	await socket.close();
	const history = (await (await fetch(`${sim.url}/history/${id}`)).json()) as Record<
		string,
		{ outputs: Record<string, Record<string, unknown>> }
	>;
	return history[id]?.outputs ?? {};
}

async function upload(name: string, data: Buffer, type: string): Promise<void> {
	const form = new FormData();
	form.append('image', new Blob([new Uint8Array(data)], { type }), name);
	const res = await fetch(`${sim?.url}/upload/image`, { method: 'POST', body: form });
	expect(res.status).toBe(200);
}

describe('media nodes', () => {
	it('answers ranges of a saved video as aiohttp does', async () => {
		sim = await quietSimulator();
		await run({
			'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 8, color: 0 } },
			'2': { class_type: 'CreateVideo', inputs: { images: ['1', 0], fps: 8 } },
			'3': {
				class_type: 'SaveVideo',
				inputs: { video: ['2', 0], filename_prefix: 'video/t', format: 'auto', codec: 'auto' }
			}
		});
		const view = `${sim.url}/view?filename=t_00001_.mp4&subfolder=video&type=output`;
		const whole = await fetch(view);
		expect(whole.headers.get('content-type')).toBe('video/mp4');
		expect(Buffer.from(await whole.arrayBuffer()).equals(MP4)).toBe(true);
		const head = await fetch(view, { headers: { Range: 'bytes=0-99' } });
		expect(head.status).toBe(206);
		expect(head.headers.get('content-range')).toBe(`bytes 0-99/${MP4.length}`);
		expect((await head.arrayBuffer()).byteLength).toBe(100);
		const tail = await fetch(view, { headers: { Range: 'bytes=-10' } });
		expect(tail.headers.get('content-range')).toBe(
			`bytes ${MP4.length - 10}-${MP4.length - 1}/${MP4.length}`
		);
		const open = await fetch(view, { headers: { Range: `bytes=${MP4.length - 1}-` } });
		expect((await open.arrayBuffer()).byteLength).toBe(1);
		const beyond = await fetch(view, { headers: { Range: `bytes=${MP4.length}-` } });
		expect(beyond.status).toBe(416);
		expect(beyond.headers.get('content-range')).toBe(`bytes */${MP4.length}`);
	});

	it('lists uploaded videos for LoadVideo and audio or video for LoadAudio, and loads them', async () => {
		sim = await quietSimulator();
		await upload('clip.mp4', MP4, 'video/mp4');
		await upload(
			'a.png',
			readFileSync(new URL('../fixtures/comfyui/images/invert-png.png', import.meta.url)),
			'image/png'
		);
		const info = (await (await fetch(`${sim.url}/object_info`)).json()) as Record<
			string,
			{ input: { required: Record<string, [string, { options: string[] }]> } }
		>;
		expect(info['LoadVideo']?.input.required['file']?.[1].options).toEqual(['clip.mp4']);
		expect(info['LoadAudio']?.input.required['audio']?.[1].options).toEqual(['clip.mp4']);
		expect(info['LoadImage']?.input.required['image']?.[0]).toContain('a.png');
		const outputs = await run({
			'1': { class_type: 'LoadVideo', inputs: { file: 'clip.mp4' } },
			'2': {
				class_type: 'SaveVideo',
				inputs: { video: ['1', 0], filename_prefix: 'again', format: 'auto', codec: 'auto' }
			}
		});
		expect(outputs['2']).toEqual({
			images: [{ filename: 'again_00001_.mp4', subfolder: '', type: 'output' }],
			animated: [true]
		});
	});

	it('refuses a LoadVideo of a file that is not there, as ComfyUI validates it', async () => {
		sim = await quietSimulator();
		const answer = await postJson(`${sim.url}/prompt`, {
			prompt: {
				'1': { class_type: 'LoadVideo', inputs: { file: 'missing.mp4' } },
				'2': {
					class_type: 'SaveVideo',
					inputs: { video: ['1', 0], filename_prefix: 'x', format: 'auto', codec: 'auto' }
				}
			}
		});
		expect(answer.status).toBe(400);
		expect(JSON.stringify(answer.body)).toContain('Invalid video file: missing.mp4');
	});

	it('saves one frame as a still WebP and more as an animated one', async () => {
		sim = await quietSimulator();
		const outputs = await run({
			'1': { class_type: 'EmptyImage', inputs: { width: 16, height: 8, batch_size: 1, color: 255 } },
			'2': {
				class_type: 'SaveAnimatedWEBP',
				inputs: {
					images: ['1', 0],
					filename_prefix: 'one',
					fps: 6,
					lossless: true,
					quality: 80,
					method: 'default'
				}
			},
			'3': { class_type: 'EmptyImage', inputs: { width: 16, height: 8, batch_size: 4, color: 255 } },
			'4': {
				class_type: 'SaveAnimatedWEBP',
				inputs: {
					images: ['3', 0],
					filename_prefix: 'many',
					fps: 6,
					lossless: true,
					quality: 80,
					method: 'default'
				}
			}
		});
		expect(outputs['2']?.['animated']).toEqual([false]);
		expect(outputs['4']?.['animated']).toEqual([true]);
		const still = Buffer.from(await (await fetch(`${sim.url}/view?filename=one_00001_.webp`)).arrayBuffer());
		expect(still.toString('latin1', 12, 16)).toBe('VP8L');
	});
});
