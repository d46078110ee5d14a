import { describe, expect, it, vi } from 'vitest';
import { createJobRegistry, isWorthSaving, mustSaveAtOnce, type JobChange } from './job-registry';
import { createMemoryJobStore, type JobRecord } from './job-store';

const record = (changes: Partial<JobRecord> = {}): JobRecord => ({
	id: '11111111-1111-4111-8111-111111111111',
	serverUrl: 'http://box:8188/',
	workflow: {},
	status: 'running',
	outputs: [],
	timings: { created: 1 },
	attempts: 1,
	...changes
});

describe('isWorthSaving', () => {
	const previous = record({ progress: { nodesDone: 0, nodesTotal: 2, cachedNodes: 0 } });
	const progressed = { ...previous, progress: { nodesDone: 1, nodesTotal: 2, cachedNodes: 0 } };

	it('saves a new job and every change a reload must not lose at once', () => {
		const at = { lastSavedAt: 1_000, now: 1_001 };
		expect(isWorthSaving({ previous: undefined, next: previous, ...at })).toBe(true);
		expect(isWorthSaving({ previous, next: { ...previous, status: 'succeeded' }, ...at })).toBe(true);
		expect(isWorthSaving({ previous, next: { ...previous, cancelRequested: true }, ...at })).toBe(true);
		const image = { filename: 'a.png', subfolder: '', type: 'output' };
		expect(isWorthSaving({ previous, next: { ...previous, outputs: [image] }, ...at })).toBe(true);
		expect(isWorthSaving({ previous, next: { ...previous, texts: { '3': ['a caption'] } }, ...at })).toBe(
			true
		);
		const error = { kind: 'execution' as const, message: 'out of memory' };
		expect(isWorthSaving({ previous, next: { ...previous, error }, ...at })).toBe(true);
	});

	it('saves progress alone at most once a second', () => {
		expect(isWorthSaving({ previous, next: progressed, lastSavedAt: 1_000, now: 1_999 })).toBe(false);
		expect(isWorthSaving({ previous, next: progressed, lastSavedAt: 1_000, now: 2_000 })).toBe(true);
	});

	it('lets what a reload asks the server again wait: the queue position, queued → running, the first send', () => {
		const queued = record({ status: 'queued', position: 3 });
		expect(mustSaveAtOnce(queued, { ...queued, position: 2 })).toBe(false);
		expect(mustSaveAtOnce(queued, { ...queued, status: 'running', position: undefined })).toBe(false);
		const pending = record({ status: 'pending', attempts: 0 });
		expect(mustSaveAtOnce(pending, { ...pending, attempts: 1, timings: { created: 1, submitted: 2 } })).toBe(
			false
		);
	});

	it('still saves at once a send again, the server accepting the job, and a job that skips the queue', () => {
		const pending = record({ status: 'pending', attempts: 1 });
		expect(mustSaveAtOnce(pending, { ...pending, attempts: 2 })).toBe(true);
		expect(mustSaveAtOnce(pending, { ...pending, status: 'queued', number: 7 })).toBe(true);
		// The socket beat the POST's answer: a pending record would be taken as maybe never sent.
		expect(mustSaveAtOnce(pending, { ...pending, status: 'running' })).toBe(true);
		const partialErrors = [{ type: 'value_not_in_list', message: 'bad', details: 'ckpt_name', nodeId: '4' }];
		expect(mustSaveAtOnce(pending, { ...pending, partialErrors })).toBe(true);
	});
});

describe('job registry', () => {
	const setup = () => {
		const store = createMemoryJobStore();
		const registry = createJobRegistry({ store, now: () => 5_000, afterUpdate: () => undefined });
		return { store, registry };
	};

	it('saves one job’s writes in order even when an earlier write is slower, and a failed write does not stop the next', async () => {
		const { store, registry } = setup();
		const saved: string[] = [];
		let calls = 0;
		store.put = async (job) => {
			calls++;
			if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 20));
			if (calls === 2) throw new Error('disk full');
			saved.push(job.status);
		};
		registry.update(record({ status: 'queued' }));
		registry.update(record({ status: 'queued', cancelRequested: true }));
		registry.update(record({ status: 'interrupted', cancelRequested: true }));
		await new Promise((resolve) => setTimeout(resolve, 40));
		expect(saved).toEqual(['queued', 'interrupted']);
	});

	it('saves a change that could wait within a second, with what came after it, unless a save came first', async () => {
		vi.useFakeTimers({ now: 5_000 });
		try {
			const store = createMemoryJobStore();
			const registry = createJobRegistry({ store, now: () => Date.now(), afterUpdate: () => undefined });
			const id = record().id;
			registry.update(record({ status: 'queued', position: 2 }));
			await vi.advanceTimersByTimeAsync(10);
			registry.update(record({ status: 'queued', position: 1 }));
			registry.update(record({ status: 'running' }));
			const progress = { nodesDone: 1, nodesTotal: 2, cachedNodes: 0 };
			registry.update(record({ status: 'running', progress }));
			await vi.advanceTimersByTimeAsync(900);
			expect((await store.get(id))?.status).toBe('queued');
			await vi.advanceTimersByTimeAsync(100);
			expect(await store.get(id)).toMatchObject({ status: 'running', progress });
			// An end is saved at once, and the wait that was set before it saves nothing older over it.
			registry.update(
				record({ status: 'running', position: undefined, progress: { ...progress, nodesDone: 2 } })
			);
			registry.update(record({ status: 'succeeded' }));
			await vi.advanceTimersByTimeAsync(2_000);
			expect((await store.get(id))?.status).toBe('succeeded');
		} finally {
			vi.useRealTimers();
		}
	});

	it('sends a new job without waiting for its write when the store noted it, and waits for it when not', async () => {
		const { store, registry } = setup();
		let finishPut = () => {};
		store.put = () => new Promise<void>((resolve) => (finishPut = resolve));
		const noted: string[] = [];
		store.journal = (job) => (noted.push(job.id), true);
		let added = false;
		void registry.add(record({ status: 'pending', attempts: 0 })).then(() => (added = true));
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(noted).toEqual([record().id]);
		expect(added).toBe(true);
		finishPut();

		const other = record({ id: '22222222-2222-4222-8222-222222222222', status: 'pending', attempts: 0 });
		store.journal = () => false;
		store.put = async () => {
			throw new Error('disk full');
		};
		await expect(registry.add(other)).rejects.toThrow(/Could not save the job before sending it/);
		expect(registry.has(other.id)).toBe(false);
	});

	it('saves what waited when the tracker closes', async () => {
		const { store, registry } = setup();
		registry.update(record({ status: 'queued', position: 2 }));
		registry.update(record({ status: 'running' }));
		registry.clearTimers();
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect((await store.get(record().id))?.status).toBe('running');
	});

	it('ends a job with its error and end time, and tells listeners what it was before', () => {
		const { registry } = setup();
		const changes: JobChange[] = [];
		registry.subscribe((change) => changes.push(change));
		registry.update(record({ status: 'queued', position: 1 }));
		registry.fail(record().id, { kind: 'lost', message: 'gone' }, 'lost');
		expect(changes.map((change) => change.kind)).toEqual(['added', 'updated']);
		expect(changes[1]?.previous?.status).toBe('queued');
		expect(registry.get(record().id)).toMatchObject({
			status: 'lost',
			error: { kind: 'lost' },
			position: undefined,
			timings: { finished: 5_000 }
		});
	});

	it('forgets a job before the store is told, and restores stored jobs without doubling a known one', async () => {
		const { store, registry } = setup();
		await store.put(record());
		expect(registry.restore(record())).toBe(true);
		expect(registry.restore(record({ status: 'queued' }))).toBe(false);
		expect(registry.get(record().id)?.status).toBe('running');
		await registry.forget(record().id);
		expect(registry.get(record().id)).toBeUndefined();
		expect(await store.get(record().id)).toBeUndefined();
	});
});
