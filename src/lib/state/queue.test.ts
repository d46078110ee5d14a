import { describe, expect, it } from 'vitest';
import type { Queue } from '$lib/comfy';
import { queueRows } from './queue';

const item = (number: number, id: string, nodes = 2) =>
	[
		number,
		id,
		Object.fromEntries(Array.from({ length: nodes }, (_, i) => [String(i), {}])),
		{},
		[]
	] as Queue['queue_running'][number];

describe('queueRows', () => {
	it('lists the running prompt first, then pending ones in the order ComfyUI runs them (front first)', () => {
		// A `front: true` prompt gets a negative number and runs next (h2_queue_management transcript).
		const queue: Queue = {
			queue_running: [item(3, 'run')],
			queue_pending: [item(5, 'later'), item(-1, 'front'), item(4, 'next')]
		};
		const rows = queueRows({ queue, ours: (id) => (id === 'next' ? { templateName: 'Demo' } : undefined) });
		expect(rows.map((r) => [r.promptId, r.running, r.position])).toEqual([
			['run', true, undefined],
			['front', false, 0],
			['next', false, 1],
			['later', false, 2]
		]);
		expect(rows.find((r) => r.promptId === 'next')).toMatchObject({
			ours: true,
			templateName: 'Demo',
			nodeCount: 2
		});
		expect(rows.find((r) => r.promptId === 'later')?.ours).toBe(false);
	});
});
