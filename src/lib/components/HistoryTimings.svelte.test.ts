import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import HistoryTimings from './HistoryTimings.svelte';

describe('HistoryTimings', () => {
	it('shows how long the run executed and its size in nodes', async () => {
		const created = new Date(2026, 10, 3, 14, 0, 0).getTime();
		render(HistoryTimings, {
			timings: { created, queued: created + 1_000, started: created + 2_000, finished: created + 9_500 },
			nodeCount: 7
		});
		const list = page.getByRole('region', { name: 'Timings' });
		await expect.element(list).toHaveTextContent(/Execution time\s*7\.5 s/);
		await expect.element(list).toHaveTextContent(/Nodes\s*7/);
	});

	it('shows a dash for the times a job never reached', async () => {
		render(HistoryTimings, { timings: { created: Date.now() }, nodeCount: 2 });
		const list = page.getByRole('region', { name: 'Timings' });
		await expect.element(list).toHaveTextContent(/Started\s*—/);
		await expect.element(list).toHaveTextContent(/Execution time\s*—/);
	});
});
