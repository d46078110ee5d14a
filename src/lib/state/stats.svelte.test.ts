import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SystemStats } from '$lib/comfy';
import type { StoredStatsSample } from '$lib/storage/db';
import type { CheckOutcome } from './connections.svelte';
import { sampleFromReading, StatsSampler, type StatsSample, type StatsStore } from './stats.svelte';

const GIB = 1024 ** 3;

// The shape the recorded ComfyUI 0.8 answers, with a GPU whose free VRAM the test controls.
function stats(vramFree: number): SystemStats {
	return {
		system: {
			os: 'linux',
			ram_total: 32 * GIB,
			ram_free: 20 * GIB,
			comfyui_version: '0.8.0',
			python_version: '3.11.7',
			pytorch_version: '2.13.0+cu128'
		},
		devices: [
			{
				name: 'cuda:0 NVIDIA RTX 4090',
				type: 'cuda',
				index: 0,
				vram_total: 24 * GIB,
				vram_free: vramFree,
				torch_vram_total: 8 * GIB,
				torch_vram_free: GIB
			}
		]
	};
}

let visibility: DocumentVisibilityState = 'visible';
function setVisibility(state: DocumentVisibilityState) {
	visibility = state;
	document.dispatchEvent(new Event('visibilitychange'));
}

function memoryStore(initial: StoredStatsSample[] = []) {
	const rows = [...initial];
	const store: StatsStore = {
		add: async (s) => void rows.push(s),
		list: async ({ serverId, since }) =>
			rows.filter((r) => r.serverId === serverId && r.t >= since).map(({ serverId: _s, ...rest }) => rest),
		prune: async ({ before }) => {
			for (let i = rows.length - 1; i >= 0; i--) if ((rows[i]?.t ?? 0) < before) rows.splice(i, 1);
		}
	};
	return { rows, store };
}

beforeEach(() => {
	visibility = 'visible';
	Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
	vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
	vi.useRealTimers();
	// Back to the real (prototype) getter.
	delete (document as unknown as Record<string, unknown>).visibilityState;
});

/** The app's shared checks as the sampler sees them: each `emit` is one check of a server. */
function checks() {
	const listeners = new Set<(serverId: string, outcome: CheckOutcome) => void>();
	return {
		subscribe: (listener: (serverId: string, outcome: CheckOutcome) => void) => {
			listeners.add(listener);
			return () => void listeners.delete(listener);
		},
		ok(serverId: string, s: SystemStats) {
			for (const l of listeners)
				l(serverId, { ok: true, reading: { stats: s, latencyMs: 5, at: Date.now() } });
		},
		fail(serverId: string, message: string) {
			for (const l of listeners) l(serverId, { ok: false, message });
		}
	};
}

describe('StatsSampler', () => {
	it('turns every check into a sample, asks for live checks while started and is paused while hidden', async () => {
		const feed = checks();
		const release = vi.fn();
		const live = vi.fn(() => release);
		const sampler = new StatsSampler({ subscribe: feed.subscribe, refresh: async () => {}, live });
		const stop = sampler.start();
		expect(live).toHaveBeenCalledTimes(1);
		expect(sampler.active).toBe(true);
		feed.ok('a', stats(20 * GIB));
		await vi.advanceTimersByTimeAsync(3000);
		feed.ok('a', stats(20 * GIB));
		expect(sampler.samples.a).toHaveLength(2);

		setVisibility('hidden');
		expect(sampler.active).toBe(false);
		setVisibility('visible');
		expect(sampler.active).toBe(true);

		stop();
		expect(release).toHaveBeenCalledTimes(1);
		feed.ok('a', stats(20 * GIB));
		expect(sampler.samples.a).toHaveLength(2);
	});

	it('keeps only the last hour, takes the queue length from the socket and checks again on demand', async () => {
		const feed = checks();
		let free = 4 * GIB;
		const refresh = vi.fn(async () => feed.ok('a', stats(free)));
		const sampler = new StatsSampler({ subscribe: feed.subscribe, refresh, queueLength: () => 2 });
		const stop = sampler.start();
		for (let i = 0; i <= 120; i++) {
			feed.ok('a', stats(free));
			await vi.advanceTimersByTimeAsync(60_000);
		}
		const samples = sampler.samples.a ?? [];
		expect(samples.length).toBe(61);
		expect(samples[0]?.vramUsed).toBe(20 * GIB);

		free = 22 * GIB;
		await sampler.sampleNow('a');
		expect(refresh).toHaveBeenCalledWith('a');
		expect(sampler.samples.a?.at(-1)?.vramUsed).toBe(2 * GIB);
		expect(sampler.latest.a?.queue).toBe(2);
		stop();
	});

	it('merges the stored last hour in and stores what it samples, pruning older samples', async () => {
		const now = Date.now();
		const { rows, store } = memoryStore([
			{ serverId: 'a', t: now - 2 * 3600_000, queue: 9 },
			{ serverId: 'a', t: now - 60_000, queue: 1 },
			{ serverId: 'b', t: now - 60_000, queue: 5 }
		]);
		const feed = checks();
		const sampler = new StatsSampler({
			subscribe: feed.subscribe,
			refresh: async () => {},
			queueLength: () => 0,
			store
		});
		const stop = sampler.start();
		feed.ok('a', stats(GIB));
		await vi.advanceTimersByTimeAsync(0);
		expect(sampler.samples.a?.map((s) => s.queue)).toEqual([1, 0]);
		expect(rows.some((r) => r.t === now - 2 * 3600_000)).toBe(false);
		expect(rows.filter((r) => r.serverId === 'a' && r.t === now)).toHaveLength(1);
		stop();
	});

	it('reports a failure once while it repeats and keeps it after the server recovers', async () => {
		const feed = checks();
		const sampler = new StatsSampler({ subscribe: feed.subscribe, refresh: async () => {} });
		const stop = sampler.start();
		feed.fail('a', 'Cannot reach http://box:8188/: connection refused.');
		const first = sampler.errors.a;
		await vi.advanceTimersByTimeAsync(4000);
		feed.fail('a', 'Cannot reach http://box:8188/: connection refused.');
		expect(sampler.errors.a).toBe(first);
		expect(first).toMatchObject({ ongoing: true, message: expect.stringContaining('refused') });
		feed.ok('a', stats(GIB));
		await vi.advanceTimersByTimeAsync(0);
		expect(sampler.errors.a).toMatchObject({ ongoing: false, message: expect.stringContaining('refused') });
		stop();
	});
});

describe('sampleFromReading', () => {
	it('sums VRAM over the devices and derives RAM used from total minus free', () => {
		const reading = { stats: stats(4 * GIB), queue: 3 };
		reading.stats.devices.push({ name: 'cuda:1', type: 'cuda', vram_total: 12 * GIB, vram_free: 12 * GIB });
		const sample: StatsSample = sampleFromReading(reading, 5);
		expect(sample).toEqual({
			t: 5,
			vramTotal: 36 * GIB,
			vramUsed: 20 * GIB,
			ramTotal: 32 * GIB,
			ramUsed: 12 * GIB,
			queue: 3
		});
	});

	it('leaves out what the server does not report', () => {
		const reading = { stats: { system: { os: 'linux', python_version: '3.12' }, devices: [] } };
		expect(sampleFromReading(reading, 1)).toEqual({ t: 1 });
	});
});
