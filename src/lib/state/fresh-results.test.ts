import { describe, expect, it, vi } from 'vitest';
import type { JobImage, JobRecord } from '$lib/comfy';
import { FreshResults } from './fresh-results.svelte';

const file = (name: string): JobImage => ({ filename: name, subfolder: '', type: 'output' });

const job = (outputs: JobImage[]): JobRecord => ({
	id: 'p1',
	serverUrl: 'http://box:8188/',
	workflow: {},
	status: 'running',
	outputs,
	timings: { created: 1 },
	attempts: 1
});

/** A fetch per file that settles when the test says so. */
function controlledFetch() {
	const pending = new Map<string, { resolve: (b: Blob) => void; reject: (e: Error) => void }>();
	const fetchOutput = vi.fn(
		(output: JobImage) =>
			new Promise<Blob>((resolve, reject) => pending.set(output.filename, { resolve, reject }))
	);
	return { fetchOutput, pending };
}

describe('FreshResults', () => {
	it('fetches each file the socket named once, and lists the results in the job’s order as they arrive', async () => {
		const fresh = new FreshResults();
		const { fetchOutput, pending } = controlledFetch();
		fresh.follow(job([file('a.png')]), fetchOutput);
		fresh.follow(job([file('a.png'), file('b.png')]), fetchOutput);
		expect(fetchOutput.mock.calls.map(([o]) => o.filename)).toEqual(['a.png', 'b.png']);

		pending.get('b.png')?.resolve(new Blob(['bee'], { type: 'image/png' }));
		await vi.waitFor(() => expect(fresh.of('p1')?.map((r) => r.output.filename)).toEqual(['b.png']));
		pending.get('a.png')?.resolve(new Blob(['ay'], { type: 'image/png' }));
		await vi.waitFor(() => expect(fresh.of('p1')?.map((r) => r.output.filename)).toEqual(['a.png', 'b.png']));

		const [a] = fresh.of('p1') ?? [];
		expect(await a?.blob.text()).toBe('ay');
		expect(a?.kind).toBe('image');
		expect(a?.mime).toBe('image/png');
	});

	it('lists the bytes the moment their fetch settles: nothing (no hashing, no storage) comes first', async () => {
		const fresh = new FreshResults();
		const { fetchOutput, pending } = controlledFetch();
		fresh.follow(job([file('a.png')]), fetchOutput);
		const blob = new Blob(['ay'], { type: 'image/png' });
		pending.get('a.png')?.resolve(blob);
		// The fetch's own settling, then its listener: two turns of the microtask queue, no task, no await of work.
		await Promise.resolve();
		await Promise.resolve();
		expect(fresh.of('p1')?.[0]?.blob).toBe(blob);
	});

	it('gives the keeper the bytes already fetched, without a second request', async () => {
		const fresh = new FreshResults();
		const fetchOutput = vi.fn(async () => new Blob(['x'], { type: 'image/png' }));
		fresh.follow(job([file('a.png')]), fetchOutput);
		const blob = await fresh.bytes('p1', file('a.png'), fetchOutput);
		expect(await blob.text()).toBe('x');
		expect(fetchOutput).toHaveBeenCalledTimes(1);
	});

	it('fetches again for the keeper when the early fetch failed, so nothing depends on it', async () => {
		const fresh = new FreshResults();
		const { fetchOutput, pending } = controlledFetch();
		fresh.follow(job([file('a.png')]), fetchOutput);
		pending.get('a.png')?.reject(new Error('HTTP 500'));
		await vi.waitFor(() => expect(fetchOutput).toHaveBeenCalledTimes(1));
		await Promise.resolve();

		const retry = vi.fn(async () => new Blob(['late'], { type: 'image/png' }));
		expect(await (await fresh.bytes('p1', file('a.png'), retry)).text()).toBe('late');
		expect(retry).toHaveBeenCalledTimes(1);
		await vi.waitFor(() => expect(fresh.of('p1')?.length).toBe(1));
	});

	it('forgets a dropped job, and a fetch that lands after the drop shows nothing', async () => {
		const fresh = new FreshResults();
		const { fetchOutput, pending } = controlledFetch();
		fresh.follow(job([file('a.png')]), fetchOutput);
		fresh.drop('p1');
		pending.get('a.png')?.resolve(new Blob(['x']));
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(fresh.of('p1')).toBeUndefined();
	});
});
