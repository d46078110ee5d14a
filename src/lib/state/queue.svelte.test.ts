import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queue } from '$lib/comfy';
import { createDeckQueryClient } from '$lib/query/client';
import type { AppState, ServerView } from './app.svelte';
import { QueueState, type QueueRow } from './queue';

const studio: ServerView = {
	id: 'studio',
	name: 'Studio',
	baseUrl: 'http://studio:8188/',
	order: 0,
	createdAt: 0
};
const laptop: ServerView = {
	id: 'laptop',
	name: 'Laptop',
	baseUrl: 'http://laptop:8188/',
	order: 1,
	createdAt: 0
};

const item = (number: number, id: string) =>
	[number, id, { '1': {}, '2': {}, '3': {} }, {}, []] as Queue['queue_running'][number];

/** A fake app with two servers: Studio answers `/queue`, Laptop is offline. */
function setup(queue: Queue) {
	const api = {
		getQueue: vi.fn(async () => structuredClone(queue)),
		interrupt: vi.fn(async () => {}),
		// As ComfyUI does: a deleted prompt leaves the pending list.
		deleteFromQueue: vi.fn(async ({ promptIds }: { promptIds: string[] }) => {
			queue.queue_pending = queue.queue_pending.filter((i) => !promptIds.includes(i[1]));
		}),
		clearQueue: vi.fn(async () => {}),
		getHistoryEntry: vi.fn(async () => undefined),
		queuePrompt: vi.fn(async ({ promptId }: { promptId: string }) => {
			queue.queue_pending.push(item(-1, promptId));
			return { prompt_id: promptId, number: -1, node_errors: {} };
		})
	};
	const laptopApi = { ...api, getQueue: vi.fn(async () => structuredClone(queue)) };
	const tracker = { cancel: vi.fn(async () => {}), reconcile: vi.fn(async () => {}) };
	const app = {
		started: true,
		servers: [studio, laptop],
		queryClient: createDeckQueryClient(),
		apiFor: (server: ServerView) => (server.id === studio.id ? api : laptopApi),
		connections: {
			get: (id: string) =>
				id === laptop.id ? { status: 'offline', message: 'Cannot reach Laptop.' } : { status: 'online' }
		},
		jobs: {
			// "mine" was sent from this browser and is half-way through its third of four nodes.
			byId: {
				mine: {
					status: 'running',
					progress: { nodesDone: 2, nodesTotal: 4, value: 5, max: 10, cachedNodes: 0 },
					metadata: { templateName: 'Portrait' },
					workflow: { '1': { class_type: 'EmptyImage', inputs: {} } }
				}
			},
			previews: { mine: { url: 'blob:preview-of-mine' } },
			clientFor: async () => ({ jobs: tracker, socket: { clientId: 'tab-1' } })
		}
	} as unknown as AppState;
	let state: QueueState | undefined;
	const cleanup = $effect.root(() => {
		state = new QueueState({ app });
	});
	cleanups.push(cleanup);
	return { queue: state!, api, laptopApi, tracker };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

const rowOf = (queue: QueueState, promptId: string): QueueRow => {
	const row = queue.byServer[studio.id]?.rows.find((r) => r.promptId === promptId);
	if (!row) throw new Error(`${promptId} is not listed`);
	return row;
};

describe('QueueState', () => {
	it("lists a server's queue in run order with our own prompt's progress, and does not ask an offline server", async () => {
		const { queue, laptopApi } = setup({
			queue_running: [item(3, 'mine')],
			queue_pending: [item(7, 'later'), item(-2, 'front'), item(5, 'next')]
		});
		await vi.waitFor(() => expect(queue.byServer[studio.id]?.rows).toHaveLength(4));

		const studioQueue = queue.byServer[studio.id];
		expect(studioQueue?.error).toBeUndefined();
		expect(studioQueue?.loadedAt).toBeGreaterThan(0);
		expect(studioQueue?.rows.map((r) => [r.promptId, r.running, r.position])).toEqual([
			['mine', true, undefined],
			['front', false, 0],
			['next', false, 1],
			['later', false, 2]
		]);
		expect(rowOf(queue, 'mine')).toMatchObject({
			ours: true,
			templateName: 'Portrait',
			fraction: 0.625,
			previewUrl: 'blob:preview-of-mine',
			nodeCount: 3
		});
		expect(rowOf(queue, 'next').ours).toBe(false);

		expect(queue.byServer[laptop.id]).toEqual({ rows: [], error: 'Cannot reach Laptop.' });
		expect(laptopApi.getQueue).not.toHaveBeenCalled();
	});

	it('cancels our own prompt through the tracker, interrupts or deletes the others, and reads the queue again', async () => {
		const { queue, api, tracker } = setup({
			queue_running: [item(3, 'theirs-running')],
			queue_pending: [item(4, 'mine'), item(5, 'theirs-pending')]
		});
		await vi.waitFor(() => expect(queue.byServer[studio.id]?.rows).toHaveLength(3));
		const reads = api.getQueue.mock.calls.length;

		await queue.remove({ server: studio, row: rowOf(queue, 'mine') });
		expect(tracker.cancel).toHaveBeenCalledWith('mine');
		expect(api.deleteFromQueue).not.toHaveBeenCalled();

		await queue.remove({ server: studio, row: rowOf(queue, 'theirs-running') });
		expect(api.interrupt).toHaveBeenCalledWith({ promptId: 'theirs-running' });

		await queue.remove({ server: studio, row: rowOf(queue, 'theirs-pending') });
		expect(api.deleteFromQueue).toHaveBeenCalledWith({ promptIds: ['theirs-pending'] });

		await vi.waitFor(() => expect(api.getQueue.mock.calls.length).toBeGreaterThan(reads));
	});

	it('clears the pending queue and has the tracker find out which of our jobs went with it', async () => {
		const { queue, api, tracker } = setup({ queue_running: [], queue_pending: [item(4, 'mine')] });
		await vi.waitFor(() => expect(queue.byServer[studio.id]?.rows).toHaveLength(1));

		await queue.clearPending({ server: studio });
		expect(api.clearQueue).toHaveBeenCalledOnce();
		await vi.waitFor(() => expect(tracker.reconcile).toHaveBeenCalledOnce());
	});

	it('moves our waiting prompt to the front: taken out, then sent again with front under the same id', async () => {
		const { queue, api } = setup({ queue_running: [], queue_pending: [item(4, 'theirs'), item(5, 'mine')] });
		await vi.waitFor(() => expect(queue.byServer[studio.id]?.rows).toHaveLength(2));

		expect(await queue.moveToFront({ server: studio, row: rowOf(queue, 'mine') })).toBeNull();
		expect(api.deleteFromQueue).toHaveBeenCalledWith({ promptIds: ['mine'] });
		expect(api.queuePrompt).toHaveBeenCalledWith(
			expect.objectContaining({ promptId: 'mine', front: true, clientId: 'tab-1' })
		);
		await vi.waitFor(() =>
			expect(queue.byServer[studio.id]?.rows.map((r) => r.promptId)).toEqual(['mine', 'theirs'])
		);
	});

	it('says why a prompt cannot move to the front instead of failing silently', async () => {
		const { queue, api } = setup({ queue_running: [], queue_pending: [item(4, 'theirs'), item(5, 'mine')] });
		await vi.waitFor(() => expect(queue.byServer[studio.id]?.rows).toHaveLength(2));

		expect(await queue.moveToFront({ server: studio, row: rowOf(queue, 'theirs') })).toBe(
			'Only prompts sent from this browser can be moved.'
		);
		api.deleteFromQueue.mockRejectedValueOnce(new Error('The server answered 500.'));
		expect(await queue.moveToFront({ server: studio, row: rowOf(queue, 'mine') })).toMatch(
			/^It could not be moved: .*500/
		);
	});
});
