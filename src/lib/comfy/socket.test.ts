import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEnvironment, FakeSocketServer } from '../../../tests/core/fake-socket';
import { concat, u32 } from '../../../tests/core/transcripts';
import type { ChannelLike, StorageLike } from './client-id';
import { createLogger } from './logger';
import { createComfySocket, socketUrl, type ComfySocketOptions, type SocketEvent } from './socket';

const BASE = 'http://127.0.0.1:8188/';

function memoryStorage(): StorageLike & { map: Map<string, string> } {
	const map = new Map<string, string>();
	return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

function setup(overrides: Partial<ComfySocketOptions> = {}) {
	const server = new FakeSocketServer();
	const environment = new FakeEnvironment();
	const logger = createLogger({ level: 'debug' });
	const storage = memoryStorage();
	const socket = createComfySocket({
		baseUrl: BASE,
		WebSocket: server.WebSocket,
		environment,
		logger,
		clientIdStorage: storage,
		clientIdChannel: null,
		...overrides
	});
	const events: SocketEvent[] = [];
	socket.subscribe((event) => events.push(event));
	return { server, environment, logger, storage, socket, events };
}

/** Closes under fake timers (the fake server acknowledges a close on the next tick). */
async function closeNow(socket: { close(): Promise<void> }) {
	const closing = socket.close();
	await vi.advanceTimersByTimeAsync(10);
	await closing;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('socket session', () => {
	it('opens /ws with the client id (and token), sends feature_flags first, and is open once greeted', async () => {
		const { server, socket, events } = setup({ baseUrl: 'https://box.example/comfy', token: 't0k' });
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		expect(server.last.url).toBe(`wss://box.example/comfy/ws?clientId=${socket.clientId}&token=t0k`);
		expect(socket.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(socket.state).toBe('connecting');
		server.last.accept();
		expect(JSON.parse(server.last.sent[0] ?? '')).toEqual({
			type: 'feature_flags',
			data: { supports_preview_metadata: true }
		});
		server.last.greet();
		expect(socket.state).toBe('open');
		expect(events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state)).toEqual([
			'connecting',
			'open'
		]);
		expect(events).toContainEqual({ type: 'connected', clientId: socket.clientId, reconnect: false });
		server.last.receive({
			type: 'feature_flags',
			data: { supports_preview_metadata: true, max_upload_size: 5 }
		});
		expect(socket.serverFeatures).toMatchObject({ max_upload_size: 5 });
	});

	it('builds ws:// URLs under a path prefix', () => {
		expect(socketUrl({ baseUrl: 'http://h:8188/comfy', clientId: 'c' })).toBe(
			'ws://h:8188/comfy/ws?clientId=c'
		);
	});

	it('keeps the client id across sessions of the same tab (a reload)', async () => {
		const first = setup();
		const again = createComfySocket({
			baseUrl: BASE,
			WebSocket: first.server.WebSocket,
			environment: first.environment,
			clientIdStorage: first.storage,
			clientIdChannel: null
		});
		expect(again.clientId).toBe(first.socket.clientId);
	});

	it('gives a duplicated tab its own client id', async () => {
		// Two tabs joined by a BroadcastChannel-like bus; the duplicate copied sessionStorage.
		const members = new Set<(data: unknown) => void>();
		const channel = (): ChannelLike => {
			let mine: ((data: unknown) => void) | undefined;
			return {
				postMessage: (data) => {
					for (const member of members)
						if (member !== mine) setTimeout(() => member(structuredClone(data)), 1);
				},
				addEventListener: (_type, listener) => {
					mine = (data) => listener({ data });
					members.add(mine);
				},
				close: () => mine && members.delete(mine)
			};
		};
		const original = setup({ clientIdChannel: channel });
		await vi.advanceTimersByTimeAsync(200);
		const copied = memoryStorage();
		for (const [k, v] of original.storage.map) copied.setItem(k, v);
		const duplicate = createComfySocket({
			baseUrl: BASE,
			WebSocket: original.server.WebSocket,
			environment: original.environment,
			clientIdStorage: copied,
			clientIdChannel: channel
		});
		duplicate.connect();
		await vi.advanceTimersByTimeAsync(200);
		expect(duplicate.clientId).not.toBe(original.socket.clientId);
		expect(original.server.last.clientId).toBe(duplicate.clientId);
		expect(copied.getItem(`comfy-deck:client-id:${BASE}`)).toBe(duplicate.clientId);
	});

	it('emits known messages parsed, unknown ones as custom, and binary previews and text', async () => {
		const { server, socket, events, logger } = setup();
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		events.length = 0;
		server.last.receive({ type: 'executing', data: { node: '10' } });
		server.last.receive({ type: 'test_nodes.custom', data: { node: '2', text: 'hi' } });
		const meta = new TextEncoder().encode(
			JSON.stringify({ prompt_id: 'p1', node_id: '10', image_type: 'image/jpeg' })
		);
		server.last.receive(concat(u32(4), u32(meta.length), meta, new Uint8Array([0xff, 0xd8, 0xff])));
		server.last.receive(concat(u32(1), u32(2), new Uint8Array([0x89, 0x50, 0x4e, 0x47])));
		const node = new TextEncoder().encode('3');
		server.last.receive(concat(u32(3), u32(1), node, new TextEncoder().encode('width: 24')));
		// Noise that must be ignored without throwing:
		server.last.receive('not json {');
		server.last.receive({ type: 'progress', data: { value: 'x' } });
		server.last.receive({ nope: true });
		server.last.receive(concat(u32(9), u32(0)));
		server.last.receive(concat(u32(4), u32(999)));
		server.last.receive(new Uint8Array([0, 0]));

		expect(events.map((e) => e.type)).toEqual(['executing', 'custom', 'preview', 'preview', 'progress_text']);
		expect(events[0]).toEqual({ type: 'executing', data: { node: '10' } });
		expect(events[1]).toEqual({
			type: 'custom',
			messageType: 'test_nodes.custom',
			data: { node: '2', text: 'hi' }
		});
		expect(events[2]).toMatchObject({
			type: 'preview',
			promptId: 'p1',
			nodeId: '10',
			mimeType: 'image/jpeg'
		});
		expect(events[3]).toMatchObject({ type: 'preview', mimeType: 'image/png' });
		expect(events[3]).not.toHaveProperty('promptId');
		expect(events[4]).toEqual({ type: 'progress_text', nodeId: '3', text: 'width: 24' });
		const warnings = logger
			.entries()
			.filter((e) => e.level === 'warn')
			.map((e) => e.message);
		expect(warnings).toHaveLength(5);
		expect(socket.state).toBe('open');
	});

	it('keeps emitting to other listeners when one throws', async () => {
		const { server, socket, events } = setup();
		socket.subscribe(() => {
			throw new Error('bad listener');
		});
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		expect(events.some((e) => e.type === 'connected')).toBe(true);
	});

	it('reconnects with growing, jittered, capped delays, and starts over after a success', async () => {
		const random = vi.fn(() => 0.5);
		const { server, socket, events } = setup({ backoff: { baseMs: 500, capMs: 8000, floorMs: 0, random } });
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		const opensAt: number[] = [];
		let count = server.sockets.length;
		const failUntil = async (n: number) => {
			while (server.sockets.length < n) {
				server.last.fail();
				const failedAt = Date.now();
				while (server.sockets.length === count) await vi.advanceTimersByTimeAsync(10);
				count = server.sockets.length;
				opensAt.push(Date.now() - failedAt);
			}
		};
		await failUntil(8);
		// Half of 500, 1000, 2000, 4000, 8000 (cap), 8000, 8000 — at 10 ms resolution.
		expect(opensAt.map((ms) => Math.round(ms / 10) * 10)).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
		expect(random).toHaveBeenCalledTimes(7);
		expect(events.filter((e) => e.type === 'state' && e.state === 'reconnecting')).not.toHaveLength(0);

		server.last.accept().greet();
		expect(socket.state).toBe('open');
		expect(events.filter((e) => e.type === 'connected').at(-1)).toMatchObject({ reconnect: false });
		opensAt.length = 0;
		await failUntil(9);
		expect(opensAt).toEqual([250]);
		server.last.accept().greet();
		expect(events.filter((e) => e.type === 'connected').at(-1)).toMatchObject({ reconnect: true });
	});

	it('uses real jitter by default: delays differ between clients', async () => {
		const delays: number[] = [];
		for (let i = 0; i < 5; i++) {
			const { server, socket } = setup();
			socket.connect();
			await vi.advanceTimersByTimeAsync(0);
			for (let k = 0; k < 4; k++) {
				server.last.fail();
				const before = server.sockets.length;
				while (server.sockets.length === before) await vi.advanceTimersByTimeAsync(5);
			}
			server.last.fail();
			const start = Date.now();
			const before = server.sockets.length;
			while (server.sockets.length === before) await vi.advanceTimersByTimeAsync(5);
			delays.push(Date.now() - start);
			await closeNow(socket);
		}
		expect(new Set(delays).size).toBeGreaterThan(1);
		expect(delays.every((d) => d >= 250 && d <= 8000 + 5)).toBe(true);
	});

	it('waits while offline and reconnects at once when the browser comes online', async () => {
		const { server, socket, environment } = setup();
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		environment.goOffline();
		server.last.drop();
		expect(socket.state).toBe('offline');
		await vi.advanceTimersByTimeAsync(120_000);
		expect(server.sockets).toHaveLength(1);
		environment.goOnline();
		await vi.advanceTimersByTimeAsync(0);
		expect(server.sockets).toHaveLength(2);
		expect(socket.state).toBe('connecting');
	});

	it('retries at once when the tab becomes visible, and tells subscribers to reconcile', async () => {
		const { server, socket, environment, events } = setup({
			backoff: { baseMs: 60_000, capMs: 60_000, floorMs: 60_000 }
		});
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.fail();
		expect(socket.state).toBe('reconnecting');
		environment.becomeVisible();
		await vi.advanceTimersByTimeAsync(0);
		expect(server.sockets).toHaveLength(2);
		expect(events).toContainEqual({ type: 'resume', reason: 'visible' });
	});

	it('does not storm: online + visible + reconnect together open one socket', async () => {
		const { server, socket, environment } = setup();
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.fail();
		environment.goOnline();
		environment.becomeVisible();
		socket.reconnect();
		await vi.advanceTimersByTimeAsync(0);
		expect(server.sockets).toHaveLength(2);
	});

	it('fully closes the old socket before opening the next with the same id', async () => {
		const { server, socket } = setup({ closeTimeoutMs: 3000, connectTimeoutMs: 60_000 });
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		server.ackCloses = false;
		socket.reconnect();
		await vi.advanceTimersByTimeAsync(2000);
		expect(server.sockets).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(30_000);
		expect(server.sockets).toHaveLength(2);
		expect(server.sockets[0]?.closeCalls).toBe(1);
		expect(server.sockets[1]?.clientId).toBe(server.sockets[0]?.clientId);

		server.ackCloses = true;
		server.last.accept().greet();
		socket.reconnect();
		await vi.advanceTimersByTimeAsync(30_000);
		expect(server.sockets[1]?.readyState).toBe(3);
		expect(server.sockets).toHaveLength(3);
	});

	it('treats a socket that is never greeted as deaf and reconnects with a fresh id', async () => {
		const { server, socket } = setup({ statusTimeoutMs: 5000 });
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		const firstId = server.last.clientId;
		server.last.accept();
		await vi.advanceTimersByTimeAsync(4990);
		expect(server.sockets[0]?.readyState).toBe(1);
		await vi.advanceTimersByTimeAsync(20);
		expect(server.sockets[0]?.readyState).toBe(3);
		await vi.advanceTimersByTimeAsync(1000);
		expect(server.sockets).toHaveLength(2);
		expect(server.last.clientId).not.toBe(firstId);
		expect(socket.clientId).toBe(server.last.clientId);
	});

	it('gives up a socket that reports an error but never closes (a refused upgrade in Node 20), and retries', async () => {
		const { server, socket } = setup();
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		server.last.drop();
		await vi.advanceTimersByTimeAsync(600);
		expect(server.sockets).toHaveLength(2);
		server.last.failWithoutClose();
		await vi.advanceTimersByTimeAsync(600 + 1000);
		expect(server.sockets).toHaveLength(3);
		server.last.failWithoutClose();
		await vi.advanceTimersByTimeAsync(600 + 2000);
		expect(server.sockets).toHaveLength(4);
		server.last.accept().greet();
		expect(socket.state).toBe('open');
		expect(server.live).toHaveLength(1);
	});

	it('gives up an upgrade that gets no answer and tries again', async () => {
		const { server, socket } = setup({ connectTimeoutMs: 10_000 });
		socket.connect();
		await vi.advanceTimersByTimeAsync(9_990);
		expect(server.sockets).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(20 + 500);
		expect(server.sockets[0]?.closeCalls).toBe(1);
		expect(server.sockets).toHaveLength(2);
		server.last.accept().greet();
		expect(socket.state).toBe('open');
	});

	it('stays closed after close()', async () => {
		const { server, socket } = setup();
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		server.last.accept().greet();
		await closeNow(socket);
		expect(socket.state).toBe('closed');
		await vi.advanceTimersByTimeAsync(120_000);
		expect(server.sockets).toHaveLength(1);
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		expect(server.sockets).toHaveLength(2);
	});

	it('waits for a WebSocket implementation instead of throwing', async () => {
		const { socket, logger } = setup({ WebSocket: undefined });
		socket.connect();
		await vi.advanceTimersByTimeAsync(0);
		expect(socket.state).toBe('reconnecting');
		expect(logger.entries().some((e) => e.level === 'error' && /WebSocket/.test(e.message))).toBe(true);
		await closeNow(socket);
	});
});
