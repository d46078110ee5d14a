import { describe, expect, it } from 'vitest';
import { pendingInRunOrder, type QueueItem } from './queue-positions';

const item = (number: number, id: string): QueueItem => [number, id, {}, {}, []];

describe('pendingInRunOrder', () => {
	it('orders pending prompts by number, a `front` one (negative number) first, without touching the answer', () => {
		const queue = {
			queue_running: [],
			queue_pending: [item(5, 'later'), item(-1, 'front'), item(4, 'next')]
		};
		expect(pendingInRunOrder(queue).map((entry) => entry[1])).toEqual(['front', 'next', 'later']);
		expect(queue.queue_pending.map((entry) => entry[1])).toEqual(['later', 'front', 'next']);
	});
});
