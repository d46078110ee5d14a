import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { RunListState, type WaitingRun } from './run-list.svelte';
import { liveJob } from './testing/live-job';

describe('RunListState in the page (its rows are derived from state)', () => {
	it('follows the live jobs and the browser queue as they change, and reads the same rows until then', () => {
		const byId = $state<Record<string, ReturnType<typeof liveJob>>>({
			a: liveJob('a', 'queued', { created: 1000 })
		});
		let waiting = $state<WaitingRun[]>([]);
		let list: RunListState | undefined;
		const shown: string[][] = [];
		const stop = $effect.root(() => {
			list = new RunListState({
				templateId: 'sd15',
				db: openDeckDb({ name: `run-list-live-${Math.random().toString(36).slice(2)}` }),
				jobs: { byId, previews: {} },
				waiting: () => waiting,
				cancelJob: async () => undefined
			});
			$effect(() => {
				shown.push(list?.runs.map((r) => `${r.id} ${r.status}`) ?? []);
			});
		});
		flushSync();
		expect(shown.at(-1)).toEqual(['a queued']);
		// Nothing changed: the list is not built again for a second read (a render reads rows and counts).
		expect(list?.runs).toBe(list?.runs);

		byId.a = liveJob('a', 'running', { created: 1000 });
		flushSync();
		expect(shown.at(-1)).toEqual(['a running']);

		waiting = [{ id: 'w1', createdAt: 2000, label: 'Seed 2' }];
		byId.b = liveJob('b', 'succeeded', { created: 3000 });
		flushSync();
		expect(shown.at(-1)).toEqual(['a running', 'w1 waiting', 'b succeeded']);
		expect(list?.counts).toEqual({ total: 3, active: 2, succeeded: 1, failed: 0 });
		stop();
	});
});
