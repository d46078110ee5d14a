import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { capabilitiesOf, type ServerHealth } from '$lib/comfy/batch';
import { createComfyClient, type ComfyClient, type WebSocketConstructor } from '$lib/comfy';
import type { ApiWorkflow } from '$lib/comfy/workflow';
import { openDeckDb, type DeckDb } from '$lib/storage/db';
import { createIndexedDbJobStore, listJobs } from '$lib/storage/jobs';
import { putRawRecord } from '$lib/storage/testing/records';
import { invertPrompt, useSimulator } from '../../../tests/simulator/test-helpers';
import { DispatchState, type DispatchItem, type DispatchSource } from './dispatch.svelte';

const sim = useSimulator({ timeScale: 0.01 });

let n = 0;
const uniqueName = () => `dispatch-${n++}-${Math.random().toString(36).slice(2)}`;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the app builds per server: its client (jobs stored in IndexedDB), health from the socket, capabilities. */
async function connect(db: Promise<DeckDb>, onChange: () => void = () => {}) {
	const client: ComfyClient = createComfyClient({
		baseUrl: sim.url,
		WebSocket: WebSocket as unknown as WebSocketConstructor,
		clientIdChannel: null,
		logLevel: 'warn',
		jobStore: createIndexedDbJobStore({ db, serverId: 'sim' }),
		jobs: { checkAfterMs: 300, pollMs: 100 }
	});
	cleanups.push(() => client.close());
	const health: ServerHealth = { socket: client.socket.state };
	client.socket.subscribe((event) => {
		if (event.type === 'state') health.socket = event.state;
		onChange();
	});
	const capabilities = capabilitiesOf({ objectInfo: await client.api.getObjectInfo() });
	await client.ready;
	const server: DispatchSource = {
		id: 'sim',
		name: 'Simulator',
		baseUrl: client.baseUrl,
		jobs: client.jobs,
		snapshot: () => ({ health: { ...health }, capabilities })
	};
	return { client, server };
}

function items(count: number, over: Partial<DispatchItem> = {}): DispatchItem[] {
	return Array.from({ length: count }, (_, i) => ({
		id: `item-${i}`,
		workflow: invertPrompt(`dispatch/${i}`, 16 + i, 16) as ApiWorkflow,
		label: `Width ${16 + i}`,
		group: { id: 'grid-1', key: `x${i}` },
		target: { kind: 'any' },
		app: { templateId: 'tpl', templateName: 'Invert', parameters: { width: 16 + i } },
		...over
	}));
}

function newState(db: Promise<DeckDb>, servers: () => DispatchSource[]) {
	const state = new DispatchState({
		db,
		servers,
		settings: { maxInFlight: 2, queueThreshold: 8, bucket: { ratePerSecond: Infinity, burst: 1 } }
	});
	cleanups.push(() => state.close());
	return state;
}

describe('DispatchState', () => {
	it('runs queued items as ordinary jobs that land in History with their template, values and labels', async () => {
		const db = openDeckDb({ name: uniqueName() });
		let refresh = () => {};
		const { server, client } = await connect(db, () => refresh());
		const state = newState(db, () => [server]);
		refresh = () => state.refresh();
		await state.start();
		expect(state.enqueue({ items: items(4) })).toEqual([]);
		await state.idle();
		expect(state.summary()).toMatchObject({ total: 4, done: 4, waiting: 0, inFlight: 0 });
		const entry = state.entryOf('item-2')!;
		expect(entry.serverId).toBe('sim');
		// The queue counts an item done when the socket saw it end; its stored record follows once REST confirmed it.
		await vi.waitFor(async () => {
			const stored = await listJobs(await db);
			expect(stored.filter((j) => j.status === 'succeeded')).toHaveLength(4);
		}, 10_000);
		const jobs = await listJobs(await db);
		expect(jobs).toHaveLength(4);
		const job = jobs.find((j) => j.id === entry.promptId)!;
		expect(job.status).toBe('succeeded');
		expect(job.serverUrl).toBe(client.baseUrl);
		expect(job.app).toMatchObject({ templateId: 'tpl', templateName: 'Invert', parameters: { width: 18 } });
		expect(job.metadata).toMatchObject({ templateName: 'Invert', batch: 'grid-1', batchKey: 'x2' });
		// The same prompt ids ran on the server, once each.
		const ran = sim.controls.runs().filter((r) => jobs.some((j) => j.id === r.promptId));
		expect(ran.filter((r) => r.outcome === 'success')).toHaveLength(4);
	});

	it('keeps pause, order and priority across a reload', async () => {
		const name = uniqueName();
		const first = newState(openDeckDb({ name }), () => []);
		await first.start();
		first.enqueue({ items: items(4) });
		first.pauseAll();
		first.move({ id: 'item-3', index: 0 });
		first.changePriority({ id: 'item-1', priority: 5 });
		first.resume({ ids: ['item-2'] });
		const order = first.entries.map((e) => `${e.id}:${e.status}:${e.priority}`);
		expect(order).toEqual(['item-1:paused:5', 'item-3:paused:0', 'item-0:paused:0', 'item-2:waiting:0']);
		await first.flush();
		first.close();

		const second = newState(openDeckDb({ name }), () => []);
		await second.start();
		expect(second.paused).toBe(true);
		expect(second.entries.map((e) => `${e.id}:${e.status}:${e.priority}`)).toEqual(order);
		expect(second.entryOf('item-0')?.app).toEqual({
			templateId: 'tpl',
			templateName: 'Invert',
			parameters: { width: 16 }
		});
		// No server: the waiting item says why it waits, the paused ones that they are paused.
		expect(second.reasons.get('item-2')).toMatch(/No server is set up/);
		expect(second.reasons.get('item-0')).toBe('Paused.');
	});

	it('resumes a batch after a restart mid-way: every item runs once', { timeout: 30_000 }, async () => {
		const name = uniqueName();
		const db1 = openDeckDb({ name });
		let refresh = () => {};
		const one = await connect(db1, () => refresh());
		const first = newState(db1, () => [one.server]);
		refresh = () => first.refresh();
		await first.start();
		first.enqueue({ items: items(8) });
		while (first.summary().done < 2) await new Promise((r) => setTimeout(r, 5));
		// The tab closes: the dispatcher and the client stop where they are, the database stays.
		first.close();
		await one.client.close();
		(await db1).close();

		const db2 = openDeckDb({ name });
		const two = await connect(db2, () => refresh());
		const second = newState(db2, () => [two.server]);
		refresh = () => second.refresh();
		await second.start();
		await second.idle();
		expect(second.summary()).toMatchObject({ total: 8, done: 8 });
		const ids = second.entries.flatMap((e) => [e.promptId, ...e.attempts.map((a) => a.promptId)]);
		const successes = sim.controls.runs().filter((r) => ids.includes(r.promptId) && r.outcome === 'success');
		expect(successes).toHaveLength(8);
		// One record per item succeeded; a release that came back stays in History as what it became (lost).
		const finals = new Set(second.entries.map((e) => e.promptId));
		await vi.waitFor(async () => {
			const succeeded = (await listJobs(await db2)).filter((j) => j.status === 'succeeded');
			expect(succeeded.map((j) => j.id).sort()).toEqual([...finals].sort());
		}, 10_000);
		const all = await listJobs(await db2);
		expect(all.filter((j) => !finals.has(j.id)).every((j) => j.status !== 'succeeded')).toBe(true);
	});

	it('lets an item for a server that is away wait for it, saying so', async () => {
		const away: DispatchSource = {
			id: 'attic',
			name: 'Attic',
			baseUrl: 'http://attic:8188/',
			jobs: {
				submit: () => Promise.reject(new Error('no')),
				get: () => undefined,
				subscribe: () => () => {}
			},
			snapshot: () => ({ health: { socket: 'reconnecting' } })
		};
		const state = newState(openDeckDb({ name: uniqueName() }), () => [away]);
		await state.start();
		expect(state.availability({ serverId: 'attic' })).toMatchObject({ online: false });
		state.enqueue({ items: items(1, { target: { kind: 'server', serverId: 'attic' } }) });
		await new Promise((r) => setTimeout(r, 10));
		expect(state.entryOf('item-0')?.status).toBe('waiting');
		expect(state.reasons.get('item-0')).toBe('Attic is offline, reconnecting.');
	});

	it('keeps items queued before the stored queue was read, after the stored ones', async () => {
		const name = uniqueName();
		const first = newState(openDeckDb({ name }), () => []);
		await first.start();
		first.enqueue({ items: items(1) });
		await first.flush();
		first.close();

		const second = newState(openDeckDb({ name }), () => []);
		expect(second.enqueue({ items: items(2).slice(1) })).toEqual([]);
		await second.start();
		expect(second.entries.map((e) => e.id)).toEqual(['item-0', 'item-1']);
	});

	it('sets an unreadable stored queue aside, says so, and stores new items', async () => {
		const name = uniqueName();
		const db = await openDeckDb({ name, onUnreadable: () => {} });
		await putRawRecord(db, 'browserQueue', { version: 99 }, 'queue');
		const state = newState(Promise.resolve(db), () => []);
		await state.start();
		expect(state.loadError).toMatch(/saved queue could not be read/);
		state.enqueue({ items: items(1) });
		await state.flush();
		const keys = await db.getAllKeys('browserQueue');
		expect(keys.some((k) => String(k).startsWith('unreadable-'))).toBe(true);
		expect(await db.getAllKeys('queueItems')).toEqual(['item-0']);
	});

	it('sets a stored item it cannot read aside, says so, and runs the others', async () => {
		const name = uniqueName();
		const db = await openDeckDb({ name, onUnreadable: () => {} });
		const first = newState(Promise.resolve(db), () => []);
		await first.start();
		first.enqueue({ items: items(3) });
		await first.flush();
		first.close();
		await putRawRecord(db, 'queueItems', { id: 'item-1', status: 'sideways', position: 1 });

		const second = newState(Promise.resolve(db), () => []);
		await second.start();
		expect(second.loadError).toBe(
			'1 saved item of the queue could not be read and was set aside; the others are back.'
		);
		expect(second.entries.map((e) => e.id)).toEqual(['item-0', 'item-2']);
		second.enqueue({ items: [{ ...items(1)[0]!, id: 'item-3' }] });
		await second.flush();
		expect(
			(await db.getAllFromIndex('queueItems', 'byPosition')).map((i) => (i as { id: string }).id)
		).toEqual(['item-0', 'item-2', 'item-3']);
		expect((await db.getAllKeys('browserQueue')).some((k) => String(k).endsWith('-item-1'))).toBe(true);
	});
});
