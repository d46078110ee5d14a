import { afterEach, describe, expect, it } from 'vitest';
import { createComfyApi } from './api';
import { moveToFrontOnServer } from './queue-front';
import type { RunningSimulator } from '../../../tests/simulator/index';
import { quietSimulator } from '../../../tests/simulator/test-helpers';

let sim: RunningSimulator | undefined;
afterEach(async () => {
	await sim?.close();
	sim = undefined;
});

function slow(seed: number, secondsPerStep = 0.2) {
	return {
		'10': {
			class_type: 'TestSlowImage',
			inputs: { width: 8, height: 8, steps: 2, seconds_per_step: secondsPerStep, seed, send_previews: false }
		},
		'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: `front/${seed}` } }
	};
}

describe('moveToFrontOnServer', () => {
	it('puts a waiting prompt at the head under the same id, and it runs once', async () => {
		sim = await quietSimulator({ timeScale: 1 });
		const api = createComfyApi({ baseUrl: sim.url });
		const ids: string[] = [];
		// The first runs 3 s: still running when the queue is read after the move, on a loaded machine too (at
		// 0.4 s it had finished by then in 2 of 4 runs at load 10).
		for (let i = 1; i <= 4; i++)
			ids.push((await api.queuePrompt({ prompt: slow(i, i === 1 ? 1.5 : 0.2), clientId: 'c' })).prompt_id);
		const last = ids[3]!;
		expect(await moveToFrontOnServer({ api, promptId: last, workflow: slow(4), clientId: 'c' })).toEqual({
			ok: true
		});
		const queue = await api.getQueue();
		expect(queue.queue_running.map((i) => i[1])).toEqual([ids[0]]);
		// ComfyUI runs the lowest number first: the moved prompt now has the lowest of the pending ones.
		const pending = [...queue.queue_pending].sort((a, b) => a[0] - b[0]).map((i) => i[1]);
		expect(pending).toEqual([last, ids[1], ids[2]]);
		await expect
			.poll(() => sim!.controls.runs().filter((r) => r.outcome === 'success').length, { timeout: 15_000 })
			.toBe(4);
		expect(sim.controls.runs().filter((r) => r.promptId === last)).toHaveLength(1);
	}, 20_000);

	it('leaves a prompt that is already running where it is', async () => {
		sim = await quietSimulator({ timeScale: 0.05 });
		const api = createComfyApi({ baseUrl: sim.url });
		const running = (await api.queuePrompt({ prompt: slow(1), clientId: 'c' })).prompt_id;
		await expect.poll(async () => (await api.getQueue()).queue_running.length).toBe(1);
		expect(await moveToFrontOnServer({ api, promptId: running, workflow: slow(1) })).toEqual({
			ok: false,
			message: 'It started running before it could be moved.'
		});
		expect((await api.getQueue()).queue_pending).toEqual([]);
	});
});
