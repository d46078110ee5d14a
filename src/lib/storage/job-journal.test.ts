import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '$lib/comfy';
import { openDeckDb } from './db';
import { JOURNAL_NOTE_MAX_CHARS, type JournalStorage } from './job-journal';
import { createIndexedDbJobStore, getJob, putJob, type StagedJobs } from './jobs';

let n = 0;
const open = () => openDeckDb({ name: `journal-test-${n++}-${Math.random()}` });

/** localStorage as a page has it (shared by every store of the page, and by the next page load). */
function memoryStorage(): JournalStorage & { keys(): string[] } {
	const items = new Map<string, string>();
	return {
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, value),
		removeItem: (key) => void items.delete(key),
		key: (index) => [...items.keys()][index] ?? null,
		get length() {
			return items.size;
		},
		keys: () => [...items.keys()]
	};
}

const record = (id: string, status: JobRecord['status'] = 'pending'): JobRecord => ({
	id,
	serverUrl: 'http://box:8188/',
	workflow: { '1': { class_type: 'EmptyImage', inputs: { color: 7 } } },
	status,
	outputs: [],
	timings: { created: 10 },
	attempts: 0
});

describe('job journal', () => {
	it('brings back a job whose page went away after noting it and before writing it, with its template and parameters', async () => {
		const db = open();
		const storage = memoryStorage();
		const staged: StagedJobs = new Map([
			['p1', { serverId: 's1', app: { templateId: 't', parameters: { seed: 7 } } }]
		]);
		const before = createIndexedDbJobStore({ db, serverId: 's1', staged, journal: storage });
		expect(before.journal?.(record('p1'))).toBe(true);
		expect(await getJob(await db, 'p1')).toBeUndefined();

		// The reload: a new store over the same database and localStorage.
		const after = createIndexedDbJobStore({ db, serverId: 's1', journal: storage });
		const listed = await after.list();
		expect(listed.map((job) => [job.id, job.status, job.attempts])).toEqual([['p1', 'pending', 0]]);
		expect((await getJob(await db, 'p1'))?.app).toEqual({ templateId: 't', parameters: { seed: 7 } });
		expect(storage.keys()).toEqual([]);
	});

	it('drops the note once the record is written, and never puts an old note over a record that moved on', async () => {
		const db = open();
		const storage = memoryStorage();
		const store = createIndexedDbJobStore({ db, serverId: 's1', journal: storage });
		expect(store.journal?.(record('p1'))).toBe(true);
		expect(storage.keys()).toHaveLength(1);
		await store.put(record('p1'));
		expect(storage.keys()).toEqual([]);

		// A note left behind (its removal failed): the stored record, further along, wins.
		expect(store.journal?.(record('p2'))).toBe(true);
		await putJob(await db, { ...record('p2', 'succeeded'), serverId: 's1', createdAt: 10, app: {} });
		await createIndexedDbJobStore({ db, serverId: 's1', journal: storage }).list();
		expect((await getJob(await db, 'p2'))?.status).toBe('succeeded');
		expect(storage.keys()).toEqual([]);
	});

	it('writes back a note of another server too, and drops a note that is not a job without writing it', async () => {
		const db = open();
		const storage = memoryStorage();
		expect(createIndexedDbJobStore({ db, serverId: 's2', journal: storage }).journal?.(record('p3'))).toBe(
			true
		);
		storage.setItem('comfy-deck.job-journal.p4', '{"serverId":"s1","record":{"id":"p4"}}');
		storage.setItem('comfy-deck.job-journal.p5', 'not json');
		storage.setItem('another-app.key', 'kept');
		const listed = await createIndexedDbJobStore({ db, serverId: 's1', journal: storage }).list();
		expect(listed).toEqual([]);
		expect((await getJob(await db, 'p3'))?.serverId).toBe('s2');
		expect(await getJob(await db, 'p4')).toBeUndefined();
		expect(storage.keys()).toEqual(['another-app.key']);
	});

	it('notes nothing without storage, when it is full, or for a job too large to note quickly', () => {
		const db = open();
		expect(createIndexedDbJobStore({ db, serverId: 's1' }).journal?.(record('p1'))).toBe(false);
		const full = memoryStorage();
		full.setItem = () => {
			throw new DOMException('quota', 'QuotaExceededError');
		};
		expect(createIndexedDbJobStore({ db, serverId: 's1', journal: full }).journal?.(record('p1'))).toBe(
			false
		);
		const storage = memoryStorage();
		const huge = {
			...record('p2'),
			workflow: { '1': { class_type: 'Note', inputs: { text: 'x'.repeat(JOURNAL_NOTE_MAX_CHARS) } } }
		};
		expect(createIndexedDbJobStore({ db, serverId: 's1', journal: storage }).journal?.(huge)).toBe(false);
		expect(storage.keys()).toEqual([]);
	});
});
