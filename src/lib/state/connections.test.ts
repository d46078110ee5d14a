import { focusManager, QueryObserver } from '@tanstack/svelte-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ProbeServerOptions, type ProbeServerResult } from '$lib/comfy';
import { buildConnectionError } from '$lib/comfy/diagnose';
import { diagnosisText } from '$lib/comfy/diagnosis-text';
import { createDeckQueryClient } from '$lib/query/client';
import { serverKeys } from '$lib/query/keys';
import { ConnectionsState, IDLE_POLL_MS, LIVE_POLL_MS } from './connections.svelte';

// query-core turns polling and focus refetches off where there is no `window` (server rendering); these tests are
// about exactly that polling, so Node plays a browser window here (set before the imports run).
vi.hoisted(() => {
	(globalThis as { window?: unknown }).window ??= globalThis;
});

const server = { id: 's1', baseUrl: 'http://box:8188' };
const stats = {
	system: { os: 'linux', comfyui_version: '0.8.0', python_version: '3.11', pytorch_version: '2.1' },
	devices: []
};

function setup(answer: (o: ProbeServerOptions) => ProbeServerResult) {
	const queryClient = createDeckQueryClient();
	queryClient.mount();
	const probe = vi.fn(async (o: ProbeServerOptions) => answer(o));
	const connections = new ConnectionsState({ queryClient, probe, pageUrl: () => 'http://deck:4173/' });
	// What the header badge does: one observer per server.
	const observer = new QueryObserver(queryClient, connections.statsQuery(server));
	const stop = observer.subscribe(() => {});
	return { queryClient, probe, connections, observer, stop };
}

const refused = (diagnosis: 'unreachable' | 'cors'): ProbeServerResult => ({
	ok: false,
	error: buildConnectionError(
		{ diagnosis, baseUrl: 'http://box:8188/', pageUrl: 'http://deck:4173/' },
		diagnosisText
	)
});

beforeEach(() => {
	vi.useFakeTimers();
	focusManager.setFocused(true);
});

afterEach(() => {
	vi.useRealTimers();
	focusManager.setFocused(undefined);
});

describe('ConnectionsState', () => {
	it('backs an unreachable server off to a handful of checks a minute, reporting it once', async () => {
		const { probe, connections, stop } = setup(() => refused('unreachable'));
		await vi.advanceTimersByTimeAsync(60_000);
		expect(probe.mock.calls.length).toBeGreaterThanOrEqual(4);
		expect(probe.mock.calls.length).toBeLessThanOrEqual(7);
		const state = connections.get('s1');
		expect(state).toMatchObject({ status: 'offline', diagnosis: 'unreachable' });
		expect(state.message).toMatch(/Cannot reach/);
		expect(state.failures).toBe(probe.mock.calls.length);
		stop();
	});

	it('asks a failing server once per retry after the first diagnosis, keeping the diagnosis', async () => {
		let calls = 0;
		const { probe, connections, stop } = setup((o) =>
			calls++ === 0 || o.refine !== false ? refused('cors') : refused('unreachable')
		);
		await vi.advanceTimersByTimeAsync(10_000);
		expect(probe.mock.calls[0]?.[0].refine).toBe(true);
		expect(probe.mock.calls.slice(1).every(([o]) => o.refine === false)).toBe(true);
		expect(connections.get('s1').diagnosis).toBe('cors');
		stop();
	});

	it('checks a reachable server every 30 s, every 3 s while a live view is open', async () => {
		const { probe, connections, observer, stop } = setup(() => ({
			ok: true,
			systemStats: stats,
			latencyMs: 4
		}));
		await vi.advanceTimersByTimeAsync(0);
		expect(connections.get('s1')).toMatchObject({ status: 'online', comfyuiVersion: '0.8.0', failures: 0 });
		await vi.advanceTimersByTimeAsync(IDLE_POLL_MS);
		expect(probe).toHaveBeenCalledTimes(2);

		const release = connections.wantLive();
		observer.setOptions(connections.statsQuery(server));
		probe.mockClear();
		await vi.advanceTimersByTimeAsync(LIVE_POLL_MS * 3);
		expect(probe).toHaveBeenCalledTimes(3);
		release();
		stop();
	});

	it('sends nothing while the tab is hidden and checks at once when it is shown', async () => {
		const { probe, stop } = setup(() => refused('unreachable'));
		await vi.advanceTimersByTimeAsync(0);
		focusManager.setFocused(false);
		probe.mockClear();
		await vi.advanceTimersByTimeAsync(5 * 60_000);
		expect(probe).not.toHaveBeenCalled();
		focusManager.setFocused(true);
		await vi.advanceTimersByTimeAsync(0);
		expect(probe).toHaveBeenCalledTimes(1);
		stop();
	});

	it('forgets a removed server and its queries', async () => {
		const { queryClient, connections, stop } = setup(() => ({ ok: true, systemStats: stats, latencyMs: 4 }));
		await vi.advanceTimersByTimeAsync(0);
		stop();
		connections.retain([]);
		expect(connections.get('s1').status).toBe('checking');
		expect(queryClient.getQueryData(serverKeys.systemStats('s1'))).toBeUndefined();
	});
	it('a check with its own bound does not wait for a poll already in flight', async () => {
		// A silent server: the poll (no bound of its own here) hangs until it is cancelled; a bounded check gives
		// up after its bound. Generate checks with 2 s and must not inherit the poll's wait.
		const queryClient = createDeckQueryClient();
		queryClient.mount();
		const probe = vi.fn(
			(o: ProbeServerOptions) =>
				new Promise<ProbeServerResult>((resolve) => {
					if (o.timeoutMs === undefined)
						o.signal?.addEventListener('abort', () => resolve(refused('unreachable')));
					else setTimeout(() => resolve(refused('unreachable')), o.timeoutMs);
				})
		);
		const connections = new ConnectionsState({ queryClient, probe, pageUrl: () => 'http://deck:4173/' });
		const stop = new QueryObserver(queryClient, connections.statsQuery(server)).subscribe(() => {});
		await vi.advanceTimersByTimeAsync(10);
		expect(probe).toHaveBeenCalledTimes(1);

		let answered = false;
		const checked = connections.check({ server, timeoutMs: 2_000 }).then((state) => {
			answered = true;
			return state;
		});
		await vi.advanceTimersByTimeAsync(2_010);
		expect(answered).toBe(true);
		expect((await checked).status).toBe('offline');
		stop();
	});
});
