/**
 * h2_queue_management replayed through the client as the app drives it: three prompts queued, one removed, one
 * sent with `front`, a delete of the running one (no effect), the pending queue cleared, then the server's history
 * deleted and cleared. The recorded server runs one prompt at a time from a queue (lowest number first; `front`
 * gets a negative number), so the stand-in here is a small queue that plays each prompt's recorded frames when the
 * test lets it run. Every queue the recording shows is compared with the stand-in's, and timers are fake.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPLAY_BASE, replay, startMsw, type ReplayHarness } from '../../../tests/core/replay-client';
import { QueueReplay, recordedPrompts } from '../../../tests/core/queue-replay';
import { httpExchanges, loadTranscript } from '../../../tests/core/transcripts';
import { createComfyApi } from './api';
import type { JobRecord } from './job-store';
import type { Queue } from './schemas';

const TRANSCRIPT = loadTranscript('h2_queue_management');
const EXCHANGES = httpExchanges(TRANSCRIPT);
const PROMPTS = recordedPrompts(TRANSCRIPT);
const FIRST_NUMBER = (EXCHANGES.find((e) => e.label === 'P1')?.response.json as { number: number }).number;

const msw = startMsw();
let harness: ReplayHarness | undefined;
beforeEach(() =>
	vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
);
afterEach(async () => {
	await harness?.close();
	harness = undefined;
	vi.useRealTimers();
});
afterAll(() => msw.close());

/** Lets fake time pass until `check` holds (fails the test after a minute of fake time). */
async function until(what: string, check: () => boolean): Promise<void> {
	for (let i = 0; i < 2_400; i++) {
		if (check()) return;
		await vi.advanceTimersByTimeAsync(25);
	}
	throw new Error(`still waiting for ${what}`);
}

/** What a queue view shows: [number, prompt id] running, then pending in the order they will run. */
function queueView(queue: Queue) {
	const pair = (item: Queue['queue_running'][number]) => [item[0], item[1]];
	return {
		running: queue.queue_running.map(pair),
		pending: [...queue.queue_pending].sort((a, b) => a[0] - b[0]).map(pair)
	};
}

describe('h2_queue_management through the job tracker', () => {
	it('shows queue positions, ends removed and cleared jobs as cancelled, and keeps finished jobs through history deletes', async () => {
		const server = new QueueReplay(TRANSCRIPT, FIRST_NUMBER);
		harness = replay('h2_queue_management', { client: { autoConnect: false } });
		msw.resetHandlers(...server.handlers);
		const { client, store } = harness;
		client.socket.connect();
		await until('the socket to open', () => client.socket.state === 'open');

		// The UI's view of each job: its status, and its place in the queue while queued.
		const seen = new Map<string, string[]>();
		client.jobs.subscribe(({ job }) => {
			const state =
				job.status === 'queued' && job.position !== undefined ? `queued #${job.position}` : job.status;
			const list = seen.get(job.id) ?? [];
			if (list.at(-1) !== state) list.push(state);
			seen.set(job.id, list);
		});
		const ours = new Map<string, string>(); // label → our prompt id
		const recordedToOurs = (json: unknown) => {
			let out = JSON.stringify(json);
			for (const p of PROMPTS) out = out.replaceAll(p.recordedId, ours.get(p.label) ?? p.recordedId);
			return JSON.parse(out) as Queue;
		};
		const recordedQueue = (label: string) =>
			queueView(recordedToOurs(EXCHANGES.find((e) => e.label === label)?.response.json));
		const submit = async (label: string) => {
			const recorded = PROMPTS.find((p) => p.label === label);
			if (!recorded) throw new Error(`no ${label} in the recording`);
			const job = await client.jobs.submit({ workflow: recorded.prompt, front: recorded.front });
			ours.set(label, job.id);
			return job.id;
		};
		const job = (label: string): JobRecord | undefined => client.jobs.get(ours.get(label) ?? '');
		const jobChecks = (label: string) =>
			server.requests.filter((r) => r === `GET /jobs/${ours.get(label)}`).length;

		// P1 runs at once; P2 and P3 wait, in that order.
		const p1 = await submit('P1');
		await until('P1 to run', () => job('P1')?.status === 'running');
		await submit('P2');
		await submit('P3');
		await until('positions of P2 and P3', () => job('P2')?.position === 0 && job('P3')?.position === 1);
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('P1 running, P2+P3 pending'));

		// The queue view removes our pending P3 through the tracker (QueueState.remove → jobs.cancel).
		const p3 = await client.jobs.cancel(ours.get('P3') ?? '');
		expect(p3).toMatchObject({
			status: 'interrupted',
			cancelRequested: true,
			error: { kind: 'interrupted' }
		});
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('after delete'));
		const p3Checks = jobChecks('P3');

		// P4 goes in front of P2.
		await submit('P4');
		expect(job('P4')).toMatchObject({ front: true, number: -(FIRST_NUMBER + 3) });
		await until('P4 ahead of P2', () => job('P4')?.position === 0 && job('P2')?.position === 1);
		expect(queueView(await client.api.getQueue())).toEqual(recordedQueue('P4 should be ahead of P2'));

		// Deleting the running prompt from the queue does nothing (recorded): P1 keeps running.
		await client.api.deleteFromQueue({ promptIds: [p1] });
		await vi.advanceTimersByTimeAsync(2_000);
		expect(job('P1')?.status).toBe('running');
		expect(server.running).toBe(p1);

		// P1 finishes, then P4 (front) runs before P2.
		server.runNext();
		await until(
			'P1 confirmed and P4 running',
			() => job('P1')?.status === 'succeeded' && job('P4')?.status === 'running'
		);
		await until('P2 next', () => job('P2')?.position === 0);
		server.runNext();
		await until(
			'P4 confirmed and P2 running',
			() => job('P4')?.status === 'succeeded' && job('P2')?.status === 'running'
		);
		server.runNext();
		await until('P2 confirmed', () => job('P2')?.status === 'succeeded');

		// P5 runs; P6 and P7 wait; the queue view clears the pending queue with its own API object, then asks the
		// tracker to reconcile (QueueState.clearPending).
		await submit('P5');
		await until('P5 to run', () => job('P5')?.status === 'running');
		await submit('P6');
		await submit('P7');
		await until('positions of P6 and P7', () => job('P6')?.position === 0 && job('P7')?.position === 1);
		const queuePage = createComfyApi({ baseUrl: REPLAY_BASE, retries: 0 });
		await queuePage.clearQueue();
		expect(queueView(await queuePage.getQueue())).toEqual(recordedQueue('after clear: P5 still running'));
		await client.jobs.reconcile();
		await until('P6 and P7 settled', () => ['P6', 'P7'].every((l) => job(l)?.status !== 'queued'));
		server.runNext();
		await until('P5 confirmed', () => job('P5')?.status === 'succeeded');

		for (const label of ['P6', 'P7']) {
			expect(job(label), label).toMatchObject({
				status: 'interrupted',
				error: { kind: 'interrupted', message: expect.stringContaining('removed from the server’s queue') }
			});
		}

		// Nothing more is asked about jobs that ended.
		const settledChecks = ['P3', 'P6', 'P7'].map(jobChecks);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(jobChecks('P3')).toBe(p3Checks);
		expect(['P3', 'P6', 'P7'].map(jobChecks)).toEqual(settledChecks);

		// History deleted, then cleared, on the server; then everything that makes the tracker look again.
		const before = server.requests.length;
		await queuePage.deleteHistory({ promptIds: [p1] });
		expect(await queuePage.getHistoryEntry({ promptId: p1 })).toBeUndefined();
		await queuePage.clearHistory();
		await client.jobs.reconcile();
		let reconnected = false;
		client.socket.subscribe((e) => (reconnected ||= e.type === 'connected' && e.reconnect));
		server.dropSockets();
		await until('the socket to reconnect', () => reconnected);
		await vi.advanceTimersByTimeAsync(30_000);
		const reloaded = harness.reload();
		reloaded.socket.connect();
		await reloaded.jobs.load();
		expect(server.requests.slice(before).filter((r) => r.startsWith('GET /jobs/'))).toEqual([]);

		const image = (label: string) => ({
			filename: `${label.replace('P', 'q')}_00001_.png`,
			subfolder: 'harness',
			type: 'output',
			nodeId: '11'
		});
		const expected: Record<string, { status: string; outputs: unknown[] }> = {
			P1: { status: 'succeeded', outputs: [image('P1')] },
			P2: { status: 'succeeded', outputs: [image('P2')] },
			P3: { status: 'interrupted', outputs: [] },
			P4: { status: 'succeeded', outputs: [image('P4')] },
			P5: { status: 'succeeded', outputs: [image('P5')] },
			P6: { status: 'interrupted', outputs: [] },
			P7: { status: 'interrupted', outputs: [] }
		};
		for (const [label, want] of Object.entries(expected)) {
			const id = ours.get(label) ?? '';
			expect(client.jobs.get(id), label).toMatchObject(want);
			expect(reloaded.jobs.get(id), `${label} after a reload`).toMatchObject(want);
			expect(await store.get(id), `${label} as stored`).toMatchObject(want);
		}
		expect(job('P5')?.progress).toMatchObject({ nodesDone: 2, nodesTotal: 2 });

		// What a UI subscribed to the tracker saw, job by job.
		const timeline = Object.fromEntries(PROMPTS.map((p) => [p.label, seen.get(ours.get(p.label) ?? '')]));
		expect(timeline).toEqual({
			P1: ['pending', 'queued', 'running', 'succeeded'],
			P2: ['pending', 'queued', 'queued #0', 'queued #1', 'queued #0', 'running', 'succeeded'],
			P3: ['pending', 'queued', 'queued #1', 'interrupted'],
			P4: ['pending', 'queued', 'queued #0', 'running', 'succeeded'],
			P5: ['pending', 'queued', 'running', 'succeeded'],
			P6: ['pending', 'queued', 'queued #0', 'interrupted'],
			P7: ['pending', 'queued', 'queued #1', 'interrupted']
		});
		expect(server.posts.map((p) => p.front === true)).toEqual(PROMPTS.map((p) => p.front));
	});
});
