import { describe, expect, it } from 'vitest';
import type { JobChange, JobRecord, JobStatus } from '../index';
import type { ServerHealth } from './dispatch-decision';
import { createDispatcher, type Clock, type DispatchServer } from './dispatcher';
import { addItems, emptyQueue, markReleased, moveItem, pauseAll, resumeAll, type QueueState } from './queue';
import { capabilitiesOf } from './requirements';

const workflow = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };
const capabilities = capabilitiesOf({ objectInfo: { EmptyImage: { input: {}, output: [] } } });

/** A job tracker that accepts every prompt and lets the test say what becomes of it. */
function fakeServer(id: string, health: ServerHealth = { socket: 'open', queueLength: 0 }) {
	const jobs = new Map<string, JobRecord>();
	const listeners = new Set<(c: JobChange) => void>();
	const server = {
		id,
		name: `Server ${id}`,
		health,
		submitted: [] as string[],
		jobs: {
			async submit({ id: promptId, workflow }: { id?: string; workflow: JobRecord['workflow'] }) {
				const job: JobRecord = {
					id: promptId!,
					serverUrl: id,
					workflow,
					status: 'queued',
					outputs: [],
					timings: { created: 0 },
					attempts: 1
				};
				jobs.set(job.id, job);
				server.submitted.push(job.id);
				for (const l of listeners) l({ kind: 'added', job });
				return job;
			},
			get: (promptId: string) => jobs.get(promptId),
			subscribe(listener: (c: JobChange) => void) {
				listeners.add(listener);
				return () => listeners.delete(listener);
			}
		} as unknown as DispatchServer['jobs'],
		snapshot: () => ({ health: server.health, capabilities }),
		set(promptId: string, status: JobStatus, error?: JobRecord['error'], progress?: JobRecord['progress']) {
			const previous = jobs.get(promptId)!;
			const job = { ...previous, status, error, progress };
			jobs.set(promptId, job);
			for (const l of listeners) l({ kind: 'updated', job, previous });
		},
		forget(promptId: string) {
			jobs.delete(promptId);
		}
	};
	return server;
}

function fakeClock() {
	let now = 0;
	const timers: { at: number; callback: () => void }[] = [];
	const clock: Clock & { advance(ms: number): void } = {
		now: () => now,
		setTimeout(callback, ms) {
			const timer = { at: now + ms, callback };
			timers.push(timer);
			return timer;
		},
		clearTimeout(handle) {
			const i = timers.indexOf(handle as (typeof timers)[number]);
			if (i >= 0) timers.splice(i, 1);
		},
		advance(ms) {
			now += ms;
			for (const t of timers.filter((x) => x.at <= now)) {
				timers.splice(timers.indexOf(t), 1);
				t.callback();
			}
		}
	};
	return clock;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const queueOf = (n: number): QueueState =>
	addItems(emptyQueue(), {
		items: Array.from({ length: n }, (_, i) => ({ id: `i${i}`, workflow })),
		now: 0
	}).state;
const statuses = (s: QueueState) =>
	s.entries.map((e) => `${e.id}:${e.status}${e.serverId ? `@${e.serverId}` : ''}`);

function setup(
	options: { items?: number; initial?: QueueState; servers?: ReturnType<typeof fakeServer>[] } = {}
) {
	const servers = options.servers ?? [fakeServer('a'), fakeServer('b')];
	const clock = fakeClock();
	let ids = 0;
	const dispatcher = createDispatcher({
		servers: () => servers,
		initial: options.initial ?? queueOf(options.items ?? 6),
		clock,
		newPromptId: () => `p${ids++}`,
		bucket: { ratePerSecond: Infinity, burst: 1 }
	});
	return { servers, clock, dispatcher };
}

describe('createDispatcher', () => {
	it('releases at most two per server and the rest as they finish', async () => {
		const { servers, dispatcher } = setup({ items: 6 });
		await tick();
		expect(statuses(dispatcher.state)).toEqual([
			'i0:released@a',
			'i1:released@b',
			'i2:released@a',
			'i3:released@b',
			'i4:waiting',
			'i5:waiting'
		]);
		expect(dispatcher.reasons.get('i4')).toBe('Waiting for a free server (at most 2 each).');
		servers[0]!.set('p0', 'running');
		await tick();
		expect(statuses(dispatcher.state)[0]).toBe('i0:running@a');
		servers[0]!.set('p0', 'succeeded');
		await tick();
		expect(statuses(dispatcher.state).slice(0, 5)).toEqual([
			'i0:done@a',
			'i1:released@b',
			'i2:released@a',
			'i3:released@b',
			'i4:released@a'
		]);
		for (const s of servers) for (const p of [...s.submitted]) s.set(p, 'succeeded');
		await tick();
		for (const s of servers) for (const p of [...s.submitted]) s.set(p, 'succeeded');
		await dispatcher.idle();
		expect(dispatcher.state.entries.every((e) => e.status === 'done')).toBe(true);
		expect(servers[0]!.submitted.length + servers[1]!.submitted.length).toBe(6);
	});

	it('sends to the shorter queue and holds back a server past the threshold, saying why', async () => {
		const busy = fakeServer('a', { socket: 'open', queueLength: 12 });
		const { dispatcher } = setup({ items: 3, servers: [busy] });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:waiting', 'i1:waiting', 'i2:waiting']);
		expect(dispatcher.reasons.get('i0')).toBe('waiting: Server a has 12 queued, threshold 8');
		busy.health = { socket: 'open', queueLength: 3 };
		dispatcher.refresh();
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@a', 'i1:released@a', 'i2:waiting']);
	});

	it('paces submissions with the token bucket', async () => {
		const servers = [fakeServer('a'), fakeServer('b')];
		const clock = fakeClock();
		const dispatcher = createDispatcher({
			servers: () => servers,
			initial: queueOf(4),
			clock,
			bucket: { ratePerSecond: 2, burst: 2 }
		});
		await tick();
		expect(statuses(dispatcher.state).filter((s) => s.includes('released'))).toHaveLength(2);
		expect(dispatcher.reasons.get('i2')).toBe('waiting: sending at most 2 a second');
		clock.advance(499);
		await tick();
		expect(statuses(dispatcher.state).filter((s) => s.includes('released'))).toHaveLength(2);
		clock.advance(1);
		await tick();
		expect(statuses(dispatcher.state).filter((s) => s.includes('released'))).toHaveLength(3);
	});

	it('takes new limits from Settings at once', async () => {
		const { dispatcher } = setup({ items: 6, servers: [fakeServer('a')] });
		await tick();
		expect(statuses(dispatcher.state).filter((x) => x.includes('released'))).toHaveLength(2);
		dispatcher.configure({ maxInFlight: 3 });
		await tick();
		expect(statuses(dispatcher.state).filter((x) => x.includes('released'))).toHaveLength(3);
		expect(dispatcher.reasons.get('i3')).toBe('Waiting for a free server (at most 3 each).');
	});

	it('sends an item a server lost to another server, once', async () => {
		const { servers, dispatcher } = setup({ items: 1 });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@a']);
		servers[0]!.health = { socket: 'reconnecting' };
		servers[0]!.set('p0', 'lost');
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@b']);
		expect(dispatcher.state.entries[0]!.attempts).toEqual([
			{
				serverId: 'a',
				promptId: 'p0',
				releasedAt: 0,
				reason: 'Server a lost it (restarted?); it goes out again.'
			}
		]);
		expect(servers.map((s) => s.submitted)).toEqual([['p0'], ['p1']]);
	});

	it('frees the slot of a prompt the socket saw end, and counts it done once its server confirms', async () => {
		const { servers, dispatcher } = setup({ items: 3, servers: [fakeServer('a')] });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@a', 'i1:released@a', 'i2:waiting']);
		const progress = { nodesDone: 1, nodesTotal: 1, cachedNodes: 0 };
		servers[0]!.set('p0', 'running', undefined, progress);
		await tick();
		// Its slot went to the next item at once; it is not done until the server says so over REST.
		expect(statuses(dispatcher.state)).toEqual(['i0:running@a', 'i1:released@a', 'i2:released@a']);
		expect(dispatcher.reasons.get('i0')).toBe('Finished on Server a; waiting for it to confirm.');
		servers[0]!.set('p0', 'succeeded', undefined, progress);
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:done@a', 'i1:released@a', 'i2:released@a']);
		expect(dispatcher.state.entries[0]!.endedOnSocket).toBeUndefined();
		expect(servers[0]!.submitted).toEqual(['p0', 'p1', 'p2']);
	});

	it('frees the slot once the last node ends, after steps that changed only the progress', async () => {
		const { servers, dispatcher } = setup({ items: 3, servers: [fakeServer('a')] });
		await tick();
		servers[0]!.set('p0', 'running', undefined, { nodesDone: 0, nodesTotal: 2, cachedNodes: 0 });
		servers[0]!.set('p0', 'running', undefined, { nodesDone: 1, nodesTotal: 2, cachedNodes: 0 });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:running@a', 'i1:released@a', 'i2:waiting']);
		servers[0]!.set('p0', 'running', undefined, { nodesDone: 2, nodesTotal: 2, cachedNodes: 0 });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:running@a', 'i1:released@a', 'i2:released@a']);
	});

	it('sends again a prompt that ended on the socket when its server died before confirming and lost its files', async () => {
		const { servers, dispatcher } = setup({ items: 1 });
		await tick();
		const progress = { nodesDone: 1, nodesTotal: 1, cachedNodes: 0 };
		servers[0]!.set('p0', 'running', undefined, progress);
		await tick();
		// The tracker found the server restarted and the files named on the socket gone (decision 002): the user
		// has no result, so the cell runs again, once.
		servers[0]!.set('p0', 'lost', { kind: 'lost', message: 'its files are gone' }, progress);
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@a']);
		expect(dispatcher.state.entries[0]!.attempts.map((a) => a.promptId)).toEqual(['p0']);
		expect(dispatcher.state.entries[0]!.endedOnSocket).toBeUndefined();
		expect(servers.flatMap((s) => s.submitted)).toEqual(['p0', 'p1']);
	});

	it('sends again a prompt its server proved lost', async () => {
		const { servers, dispatcher } = setup({ items: 1 });
		await tick();
		servers[0]!.set('p0', 'lost', { kind: 'lost', message: 'unknown to the server' });
		await tick();
		expect(dispatcher.state.entries[0]!.attempts[0]!.reason).toBe(
			'Server a lost it (restarted?); it goes out again.'
		);
	});

	it('leaves items of a server that is away where they are until it answers', async () => {
		const { servers, dispatcher } = setup({ items: 3 });
		await tick();
		servers[0]!.health = { socket: 'reconnecting' };
		servers[0]!.set('p0', 'pending', { kind: 'connection', message: 'unreachable' });
		dispatcher.apply((state) => addItems(state, { items: [{ id: 'i3', workflow }], now: 1 }));
		await tick();
		expect(statuses(dispatcher.state)).toEqual([
			'i0:released@a',
			'i1:released@b',
			'i2:released@a',
			'i3:released@b'
		]);
		expect(dispatcher.reasons.get('i0')).toBe('Waiting for Server a to say whether it got it.');
	});

	it('while a server is away, the items still in the browser go to the other one; its own wait for its answer', async () => {
		const { servers, dispatcher } = setup({ items: 8 });
		const [a, b] = servers as [ReturnType<typeof fakeServer>, ReturnType<typeof fakeServer>];
		await tick();
		expect(statuses(dispatcher.state).slice(0, 4)).toEqual([
			'i0:released@a',
			'i1:released@b',
			'i2:released@a',
			'i3:released@b'
		]);
		// a goes away (crashed) with i0 running and i2 in its queue.
		a.set('p0', 'running');
		a.health = { socket: 'reconnecting' };
		a.set('p2', 'pending', { kind: 'connection', message: 'unreachable' });
		// b works through everything else that waits in the browser, two at a time.
		for (let round = 0; round < 3; round++) {
			for (const e of dispatcher.state.entries)
				if (e.serverId === 'b' && e.status !== 'done') b.set(e.promptId!, 'succeeded');
			await tick();
		}
		expect(statuses(dispatcher.state)).toEqual([
			'i0:running@a',
			'i1:done@b',
			'i2:released@a',
			'i3:done@b',
			'i4:done@b',
			'i5:done@b',
			'i6:done@b',
			'i7:done@b'
		]);
		expect(a.submitted).toEqual(['p0', 'p2']);
		expect(dispatcher.reasons.get('i2')).toBe('Waiting for Server a to say whether it got it.');

		// a is back, empty: it proves it lost both, and they go out again once each (b has room first).
		a.health = { socket: 'open', queueLength: 0 };
		a.set('p0', 'lost', { kind: 'lost', message: 'unknown to the server' });
		a.set('p2', 'lost', { kind: 'lost', message: 'unknown to the server' });
		await tick();
		const resent = dispatcher.state.entries.filter((e) => e.attempts.length > 0);
		expect(resent.map((e) => `${e.id}:${e.status}`).sort()).toEqual(['i0:released', 'i2:released']);
		expect(resent.every((e) => e.attempts.length === 1 && e.attempts[0]!.serverId === 'a')).toBe(true);
		for (const e of resent) servers.find((s) => s.id === e.serverId)!.set(e.promptId!, 'succeeded');
		await tick();
		expect(dispatcher.state.entries.every((e) => e.status === 'done')).toBe(true);
		// Ten prompts for eight items: the two a lost were sent once more each, nothing else twice.
		expect([...a.submitted, ...b.submitted]).toHaveLength(10);
	});

	it('after a reload, asks the trackers before sending anything again', async () => {
		let initial = queueOf(2);
		initial = markReleased(initial, { id: 'i0', serverId: 'a', promptId: 'old0', now: 0 });
		initial = markReleased(initial, { id: 'i1', serverId: 'a', promptId: 'old1', now: 0 });
		const a = fakeServer('a');
		await a.jobs.submit({ id: 'old0', workflow });
		a.set('old0', 'succeeded');
		a.submitted.length = 0;
		const { dispatcher } = setup({ initial, servers: [a] });
		await tick();
		// old0 finished while the page was closed; old1 has no record at all: it never went out.
		expect(statuses(dispatcher.state)).toEqual(['i0:done@a', 'i1:released@a']);
		expect(dispatcher.state.entries[1]!.attempts[0]!.reason).toBe(
			'Server a could not be reached: it was never sent.'
		);
		expect(a.submitted).toEqual(['p0']);
	});

	it('moves the items of a removed server elsewhere', async () => {
		const servers = [fakeServer('a'), fakeServer('b')];
		let list = servers;
		const dispatcher = createDispatcher({
			servers: () => list,
			initial: queueOf(2),
			clock: fakeClock(),
			newPromptId: (() => {
				let n = 0;
				return () => `p${n++}`;
			})(),
			bucket: { ratePerSecond: Infinity, burst: 1 }
		});
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@a', 'i1:released@b']);
		list = [servers[1]!];
		dispatcher.refresh();
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:released@b', 'i1:released@b']);
		expect(dispatcher.state.entries[0]!.attempts[0]!.reason).toBe('Server a was removed from Settings.');
	});

	it('holds everything while paused and ends failed items with their error', async () => {
		const { servers, dispatcher } = setup({ initial: pauseAll(queueOf(2)) });
		await tick();
		expect(statuses(dispatcher.state)).toEqual(['i0:paused', 'i1:paused']);
		expect(dispatcher.reasons.get('i0')).toBe('Paused.');
		dispatcher.apply(resumeAll);
		await tick();
		servers[0]!.set('p0', 'failed', { kind: 'execution', message: 'CUDA out of memory' });
		await tick();
		expect(dispatcher.state.entries[0]).toMatchObject({ status: 'failed', error: 'CUDA out of memory' });
	});

	it('reports every operation to onChange, also one that changes no reason (a reorder while paused)', async () => {
		const seen: string[][] = [];
		const dispatcher = createDispatcher({
			servers: () => [],
			initial: pauseAll(queueOf(3)),
			onChange: (state) => seen.push(state.entries.map((e) => e.id))
		});
		await tick();
		seen.length = 0;
		dispatcher.apply((state) => moveItem(state, { id: 'i2', index: 0 }));
		expect(seen).toEqual([['i2', 'i0', 'i1']]);
		dispatcher.close();
	});
});
