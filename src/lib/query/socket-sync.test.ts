import { QueryClient, QueryObserver } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import type { SocketEvent } from '$lib/comfy';
import { serverKeys } from './keys';
import { syncQueueWithSocket } from './socket-sync';

// query-core refetches nothing where there is no `window` (server rendering): Node plays a browser window here.
vi.hoisted(() => {
	(globalThis as { window?: unknown }).window ??= globalThis;
});

function fakeSocket() {
	const listeners = new Set<(event: SocketEvent) => void>();
	return {
		subscribe(listener: (event: SocketEvent) => void) {
			listeners.add(listener);
			return () => void listeners.delete(listener);
		},
		emit: (event: SocketEvent) => listeners.forEach((l) => l(event)),
		get listeners() {
			return listeners.size;
		}
	};
}

const status = (queueRemaining: number): SocketEvent => ({
	type: 'status',
	data: { status: { exec_info: { queue_remaining: queueRemaining } } }
});

describe('syncQueueWithSocket', () => {
	it('reads an open queue again at once on a status message, and stores the queue length', async () => {
		const queryClient = new QueryClient();
		const socket = fakeSocket();
		const getQueue = vi.fn(async () => ({ queue_running: [], queue_pending: [] }));
		const observer = new QueryObserver(queryClient, { queryKey: serverKeys.queue('s1'), queryFn: getQueue });
		const stop = observer.subscribe(() => {});
		await vi.waitFor(() => expect(observer.getCurrentResult().isSuccess).toBe(true));

		const unsubscribe = syncQueueWithSocket({ queryClient, serverId: 's1', socket });
		socket.emit(status(3));
		await vi.waitFor(() => expect(getQueue).toHaveBeenCalledTimes(2));
		await vi.waitFor(() => expect(observer.getCurrentResult().isFetching).toBe(false));
		expect(queryClient.getQueryData(serverKeys.queueRemaining('s1'))).toBe(3);

		// A reconnect may have missed changes.
		socket.emit({ type: 'connected', clientId: 'c', reconnect: true });
		await vi.waitFor(() => expect(getQueue).toHaveBeenCalledTimes(3));
		unsubscribe();
		expect(socket.listeners).toBe(0);
		stop();
	});

	it('reads a busy queue again at most every half second, and always after the last message', async () => {
		vi.useFakeTimers();
		try {
			const queryClient = new QueryClient();
			const socket = fakeSocket();
			const getQueue = vi.fn(async () => ({ queue_running: [], queue_pending: [] }));
			const observer = new QueryObserver(queryClient, {
				queryKey: serverKeys.queue('s1'),
				queryFn: getQueue
			});
			const stop = observer.subscribe(() => {});
			await vi.advanceTimersByTimeAsync(0);
			expect(getQueue).toHaveBeenCalledTimes(1);
			syncQueueWithSocket({ queryClient, serverId: 's1', socket });

			// A fast server: 30 status messages in 300 ms (queued, started, ended for 10 prompts).
			for (let i = 0; i < 30; i++) {
				socket.emit(status(30 - i));
				await vi.advanceTimersByTimeAsync(10);
			}
			// The first one read at once; the rest wait for the window to end.
			expect(getQueue).toHaveBeenCalledTimes(2);
			expect(queryClient.getQueryData(serverKeys.queueRemaining('s1'))).toBe(1);
			await vi.advanceTimersByTimeAsync(250);
			expect(getQueue).toHaveBeenCalledTimes(3);
			// Quiet afterwards: nothing more is read.
			await vi.advanceTimersByTimeAsync(2_000);
			expect(getQueue).toHaveBeenCalledTimes(3);
			// A message after a quiet spell reads at once again.
			socket.emit(status(0));
			await vi.advanceTimersByTimeAsync(0);
			expect(getQueue).toHaveBeenCalledTimes(4);
			stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('fetches nothing while no view shows the queue, but marks it stale for the next one', async () => {
		const queryClient = new QueryClient();
		const socket = fakeSocket();
		queryClient.setQueryData(serverKeys.queue('s1'), { queue_running: [], queue_pending: [] });
		queryClient.setQueryData(serverKeys.queue('s2'), { queue_running: [], queue_pending: [] });
		syncQueueWithSocket({ queryClient, serverId: 's1', socket });
		socket.emit(status(0));
		expect(queryClient.getQueryState(serverKeys.queue('s1'))?.isInvalidated).toBe(true);
		expect(queryClient.getQueryState(serverKeys.queue('s2'))?.isInvalidated).toBe(false);
		expect(queryClient.isFetching()).toBe(0);
	});
});
