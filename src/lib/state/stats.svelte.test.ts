import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SystemStats } from '$lib/comfy';
import type { StoredStatsSample } from '$lib/storage/db';
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

describe('StatsSampler', () => {
	it('samples every interval while visible, pauses while hidden and samples at once when shown again', async () => {
		const read = vi.fn(async () => ({ stats: stats(20 * GIB), queue: 0 }));
		const sampler = new StatsSampler({ servers: () => [{ id: 'a' }], read, intervalMs: 3000 });
		const stop = sampler.start();
		await vi.advanceTimersByTimeAsync(0);
		expect(read).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(6000);
		expect(read).toHaveBeenCalledTimes(3);
		expect(sampler.active).toBe(true);

		setVisibility('hidden');
		expect(sampler.active).toBe(false);
		await vi.advanceTimersByTimeAsync(60_000);
		expect(read).toHaveBeenCalledTimes(3);

		setVisibility('visible');
		await vi.advanceTimersByTimeAsync(0);
		expect(read).toHaveBeenCalledTimes(4);
		await vi.advanceTimersByTimeAsync(3000);
		expect(read).toHaveBeenCalledTimes(5);

		stop();
		await vi.advanceTimersByTimeAsync(30_000);
		expect(read).toHaveBeenCalledTimes(5);
		expect(sampler.samples.a).toHaveLength(5);
	});

	it('does not start sampling in a tab opened in the background', async () => {
		visibility = 'hidden';
		const read = vi.fn(async () => ({ stats: stats(GIB) }));
		const sampler = new StatsSampler({ servers: () => [{ id: 'a' }], read });
		const stop = sampler.start();
		await vi.advanceTimersByTimeAsync(30_000);
		expect(read).not.toHaveBeenCalled();
		stop();
	});

	it('keeps only the last hour and shows the effect of freeing memory at once', async () => {
		let free = 4 * GIB;
		const read = vi.fn(async () => ({ stats: stats(free), queue: 2 }));
		const sampler = new StatsSampler({ servers: () => [{ id: 'a' }], read, intervalMs: 60_000 });
		const stop = sampler.start();
		await vi.advanceTimersByTimeAsync(2 * 3600_000);
		const samples = sampler.samples.a ?? [];
		expect(samples.length).toBe(61);
		expect((samples[samples.length - 1]?.t ?? 0) - (samples[0]?.t ?? 0)).toBe(3600_000);
		expect(samples[0]?.vramUsed).toBe(20 * GIB);

		free = 22 * GIB;
		await sampler.sampleNow('a');
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
		const read = vi.fn(async () => ({ stats: stats(GIB), queue: 0 }));
		const sampler = new StatsSampler({ servers: () => [{ id: 'a' }], read, store });
		const stop = sampler.start();
		await vi.advanceTimersByTimeAsync(0);
		expect(sampler.samples.a?.map((s) => s.queue)).toEqual([1, 0]);
		expect(rows.some((r) => r.t === now - 2 * 3600_000)).toBe(false);
		expect(rows.filter((r) => r.serverId === 'a' && r.t === now)).toHaveLength(1);
		stop();
	});

	it('keeps the last error after the server recovers', async () => {
		let fail = true;
		const read = vi.fn(async () => {
			if (fail) throw new Error('Cannot reach http://box:8188/: connection refused.');
			return { stats: stats(GIB) };
		});
		const sampler = new StatsSampler({ servers: () => [{ id: 'a' }], read, intervalMs: 1000 });
		const stop = sampler.start();
		await vi.advanceTimersByTimeAsync(0);
		expect(sampler.errors.a).toMatchObject({ ongoing: true, message: expect.stringContaining('refused') });
		fail = false;
		await vi.advanceTimersByTimeAsync(1000);
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
