import { QueryClient } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import type { SocketEvent } from '$lib/comfy';
import { serverKeys } from './keys';
import { queueLengthOf, serverHealth } from './server-health';
import { syncQueueWithSocket } from './socket-sync';

// query-core refetches nothing where there is no `window` (server rendering): Node plays a browser window here.
vi.hoisted(() => {
	(globalThis as { window?: unknown }).window ??= globalThis;
});

const GIB = 1024 ** 3;
const reading = (latencyMs: number, vramFree: number) => ({
	stats: {
		system: { comfyui_version: '0.8.0' },
		devices: [{ name: 'cuda:0', type: 'cuda', vram_free: vramFree }]
	},
	latencyMs,
	at: 1
});
const queue = (running: number, pending: number) => ({
	queue_running: Array.from({ length: running }, () => []),
	queue_pending: Array.from({ length: pending }, () => [])
});

function fakeSocket(state: 'idle' | 'open' = 'idle') {
	const listeners = new Set<(event: SocketEvent) => void>();
	return {
		state,
		subscribe(listener: (event: SocketEvent) => void) {
			listeners.add(listener);
			return () => void listeners.delete(listener);
		},
		emit: (event: SocketEvent) => listeners.forEach((l) => l(event))
	};
}

describe('serverHealth', () => {
	it('is unknown before the server was checked or connected', () => {
		const queryClient = new QueryClient();
		expect(serverHealth({ queryClient, serverId: 's1' })).toBeUndefined();
	});

	it('gives the socket state, latency, free VRAM and queue length from what the cache holds', () => {
		const queryClient = new QueryClient();
		const socket = fakeSocket();
		syncQueueWithSocket({ queryClient, serverId: 's1', socket });
		expect(serverHealth({ queryClient, serverId: 's1' })).toEqual({ socket: 'idle' });

		queryClient.setQueryData(serverKeys.systemStats('s1'), reading(42, 6 * GIB));
		socket.emit({ type: 'state', state: 'open' });
		socket.emit({ type: 'status', data: { status: { exec_info: { queue_remaining: 3 } } } });
		expect(serverHealth({ queryClient, serverId: 's1' })).toEqual({
			socket: 'open',
			latencyMs: 42,
			freeVramBytes: 6 * GIB,
			queueLength: 3
		});
		// Another server's numbers are its own.
		expect(serverHealth({ queryClient, serverId: 's2' })).toBeUndefined();

		socket.emit({ type: 'state', state: 'reconnecting', reason: 'closed' });
		expect(serverHealth({ queryClient, serverId: 's1' })?.socket).toBe('reconnecting');
	});

	it('takes the queue length from the newer of the socket and the last /queue read', () => {
		vi.useFakeTimers();
		try {
			const queryClient = new QueryClient();
			queryClient.setQueryData(serverKeys.systemStats('s1'), reading(5, GIB));
			queryClient.setQueryData(serverKeys.queueRemaining('s1'), 4);
			vi.advanceTimersByTime(10);
			queryClient.setQueryData(serverKeys.queue('s1'), queue(1, 0));
			expect(serverHealth({ queryClient, serverId: 's1' })?.queueLength).toBe(1);
			vi.advanceTimersByTime(10);
			queryClient.setQueryData(serverKeys.queueRemaining('s1'), 2);
			expect(serverHealth({ queryClient, serverId: 's1' })?.queueLength).toBe(2);
		} finally {
			vi.useRealTimers();
		}
	});

	it('says nothing old about a server whose check now fails', async () => {
		const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
		queryClient.setQueryData(serverKeys.systemStats('s1'), reading(42, 6 * GIB));
		queryClient.setQueryData(serverKeys.queueRemaining('s1'), 3);
		await queryClient
			.fetchQuery({
				queryKey: serverKeys.systemStats('s1'),
				queryFn: async () => Promise.reject(new Error('Cannot reach http://box:8188/.')),
				staleTime: 0
			})
			.catch(() => undefined);
		expect(serverHealth({ queryClient, serverId: 's1' })).toEqual({ socket: 'reconnecting' });

		// A server never reached at all is known to be down, not unknown.
		await queryClient
			.fetchQuery({
				queryKey: serverKeys.systemStats('s2'),
				queryFn: async () => Promise.reject(new Error('Cannot reach http://box:8189/.'))
			})
			.catch(() => undefined);
		expect(serverHealth({ queryClient, serverId: 's2' })).toEqual({ socket: 'reconnecting' });
	});
});

describe('queueLengthOf', () => {
	it('is known from a /queue read before the socket’s first status, and unknown while neither came', () => {
		const queryClient = new QueryClient();
		expect(queueLengthOf({ queryClient, serverId: 's1' })).toBeUndefined();
		queryClient.setQueryData(serverKeys.queue('s1'), queue(1, 2));
		expect(queueLengthOf({ queryClient, serverId: 's1' })).toBe(3);
		expect(queueLengthOf({ queryClient, serverId: 's2' })).toBeUndefined();
	});
});
