import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addItems, emptyQueue, markReleased, pauseAll, toSnapshot } from '$lib/comfy/batch';
import { loadBrowserQueue } from './browser-queue';
import { DB_VERSION, openDeckDb } from './db';
import { deleteServer, listServers, saveServer } from './servers';
import { DEFAULT_SETTINGS, loadSettings, saveSetting } from './settings';
import { putRawRecord } from './testing/records';
import type { UnreadableRecord } from './unreadable';

let n = 0;
const uniqueName = () => `deck-test-${n++}-${Math.random().toString(36).slice(2)}`;
const server = (id: string, order: number) => ({
	id,
	name: `Server ${id}`,
	baseUrl: `http://box-${id}:8188/`,
	order,
	createdAt: 1
});

/** A paused queue of three, one of them already on a server, as a user leaves it. */
const waitingQueue = pauseAll(
	markReleased(
		addItems(emptyQueue(), {
			items: ['a', 'b', 'c'].map((id) => ({
				id,
				workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
				label: `Item ${id}`,
				group: { id: 'g', key: id }
			})),
			now: 1
		}).state,
		{ id: 'b', serverId: 'a', promptId: 'p-b', now: 2 }
	)
);

describe('openDeckDb', () => {
	it('creates every store at the newest version', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		expect(db.version).toBe(DB_VERSION);
		expect([...db.objectStoreNames].sort()).toEqual([
			'browserQueue',
			'cache',
			'formValues',
			'grids',
			'images',
			'jobs',
			'presets',
			'queueItems',
			'resultSaving',
			'serverData',
			'servers',
			'settings',
			'stats',
			'templateVersions',
			'templates'
		]);
		db.close();
	});

	it('upgrades step by step from every older version and keeps what was stored', async () => {
		for (let from = 1; from < DB_VERSION; from++) {
			const name = uniqueName();
			const old = await openDeckDb({ name, version: from });
			await saveServer(old, server('a', 0));
			await saveSetting(old, 'theme', 'dark');
			if (from >= 2)
				await putRawRecord(old, 'jobs', { id: 'old', serverId: 'a', status: 'succeeded', createdAt: 1 });
			// Versions 9 to 11 kept the queue as one snapshot.
			const snapshot = from >= 9 && from <= 11;
			if (snapshot) await putRawRecord(old, 'browserQueue', toSnapshot(waitingQueue, { now: 1 }), 'queue');
			old.close();

			const upgraded = await openDeckDb({ name });
			expect(upgraded.version).toBe(DB_VERSION);
			expect(await listServers(upgraded)).toEqual([server('a', 0)]);
			expect((await loadSettings(upgraded)).theme).toBe('dark');
			await putRawRecord(upgraded, 'jobs', { id: 'p1', serverId: 'a', status: 'queued', createdAt: 5 });
			expect(await upgraded.getAllFromIndex('jobs', 'byStatus', 'queued')).toHaveLength(1);
			if (from >= 2) expect((await upgraded.get('jobs', 'old'))?.status).toBe('succeeded');
			await putRawRecord(upgraded, 'templateVersions', { templateId: 't', version: 1, savedAt: 1 });
			expect(await upgraded.getAllFromIndex('templateVersions', 'byTemplate', 't')).toHaveLength(1);
			await upgraded.put('formValues', { templateId: 't', values: {}, seedModes: {}, updatedAt: 1 });
			expect(await upgraded.get('formValues', 't')).toBeDefined();
			await putRawRecord(upgraded, 'grids', { id: 'g', createdAt: 1, jobIds: ['p1', 'p2'] });
			expect((await upgraded.getFromIndex('grids', 'byJob', 'p2'))?.id).toBe('g');
			await putRawRecord(upgraded, 'jobs', {
				id: 'c1',
				serverId: 'a',
				createdAt: 6,
				metadata: { batch: 'g' }
			});
			expect((await upgraded.getAllFromIndex('jobs', 'byBatch', 'g')).map((j) => j.id)).toEqual(['c1']);
			if (snapshot) expect(await loadBrowserQueue(upgraded)).toMatchObject({ state: waitingQueue });
			await upgraded.put('queueItems', { id: 'q', position: 0 });
			expect(await upgraded.getAllFromIndex('queueItems', 'byPosition')).toHaveLength(snapshot ? 4 : 1);
			await upgraded.put('serverData', { serverId: 'a', kind: 'features', data: {}, savedAt: 1 });
			expect(await upgraded.get('serverData', ['a', 'features'])).toBeDefined();
			await upgraded.put('resultSaving', { mode: 'download' }, 'results');
			expect(await upgraded.get('resultSaving', 'results')).toEqual({ mode: 'download' });
			upgraded.close();
		}
	});

	it('v4 indexes jobs by template and by each tag, including jobs stored before the upgrade', async () => {
		const name = uniqueName();
		const old = await openDeckDb({ name, version: 3 });
		await putRawRecord(old, 'jobs', {
			id: 'before',
			serverId: 'a',
			status: 'succeeded',
			createdAt: 1,
			app: { templateId: 't', tags: ['sky', 'night'] }
		});
		await putRawRecord(old, 'jobs', { id: 'bare', serverId: 'a', status: 'failed', createdAt: 2 });
		old.close();

		const upgraded = await openDeckDb({ name, version: 4 });
		expect((await upgraded.getAllFromIndex('jobs', 'byTemplate', 't')).map((j) => j.id)).toEqual(['before']);
		expect((await upgraded.getAllFromIndex('jobs', 'byTag', 'night')).map((j) => j.id)).toEqual(['before']);
		expect(await upgraded.count('jobs')).toBe(2);
		upgraded.close();
	});

	it('v8 indexes jobs by style label, including jobs stored before the upgrade', async () => {
		const name = uniqueName();
		const old = await openDeckDb({ name, version: 7 });
		const stored = { serverId: 'a', status: 'succeeded', createdAt: 1 };
		await putRawRecord(old, 'jobs', { ...stored, id: 'styled', app: { style: 'ink' } });
		await putRawRecord(old, 'jobs', { ...stored, id: 'plain', app: {} });
		old.close();

		const upgraded = await openDeckDb({ name, version: 8 });
		expect((await upgraded.getAllFromIndex('jobs', 'byStyle', 'ink')).map((j) => j.id)).toEqual(['styled']);
		expect(await upgraded.count('jobs')).toBe(2);
		upgraded.close();
	});

	it("v12 keeps a user's queue: the stored snapshot becomes one record per item, in order, still paused", async () => {
		const name = uniqueName();
		const old = await openDeckDb({ name, version: 11 });
		await putRawRecord(old, 'browserQueue', toSnapshot(waitingQueue, { now: 1 }), 'queue');
		await putRawRecord(old, 'browserQueue', { broken: true }, 'unreadable-5');
		old.close();

		const upgraded = await openDeckDb({ name, version: 12 });
		expect(await loadBrowserQueue(upgraded)).toEqual({
			ok: true,
			state: waitingQueue,
			unreadable: [],
			exact: true
		});
		expect((await upgraded.getAllFromIndex('queueItems', 'byPosition')).map((i) => i)).toMatchObject([
			{ id: 'a', position: 0 },
			{ id: 'b', position: 1, status: 'released', promptId: 'p-b' },
			{ id: 'c', position: 2 }
		]);
		// The snapshot is gone; what had been set aside before stays.
		expect((await upgraded.getAllKeys('browserQueue')).sort()).toEqual(['state', 'unreadable-5']);
		upgraded.close();
	});

	it('v12 leaves a snapshot that holds no list of items where it is, for the queue to report', async () => {
		const name = uniqueName();
		const old = await openDeckDb({ name, version: 11 });
		await putRawRecord(old, 'browserQueue', { version: 1, entries: 'none' }, 'queue');
		old.close();

		const upgraded = await openDeckDb({ name, version: 12, onUnreadable: () => {} });
		expect(await upgraded.get('browserQueue', 'queue')).toEqual({ version: 1, entries: 'none' });
		expect(await upgraded.count('queueItems')).toBe(0);
		expect((await loadBrowserQueue(upgraded)).ok).toBe(false);
		upgraded.close();
	});

	it('refuses a version it does not know', () => {
		expect(() => openDeckDb({ name: uniqueName(), version: DB_VERSION + 1 })).toThrow(RangeError);
	});
});

describe('server and settings repositories', () => {
	it('lists servers in the user order and deletes them', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		await saveServer(db, server('b', 1));
		await saveServer(db, server('a', 0));
		expect((await listServers(db)).map((s) => s.id)).toEqual(['a', 'b']);
		await deleteServer(db, 'a');
		expect((await listServers(db)).map((s) => s.id)).toEqual(['b']);
		db.close();
	});

	it('returns defaults for settings never saved', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		expect(await loadSettings(db)).toEqual(DEFAULT_SETTINGS);
		await saveSetting(db, 'logLevel', 'debug');
		expect(await loadSettings(db)).toEqual({ ...DEFAULT_SETTINGS, logLevel: 'debug' });
		db.close();
	});

	it('starts with the default of a setting it cannot read, and says which one', async () => {
		const reported: UnreadableRecord[] = [];
		const db = await openDeckDb({ name: uniqueName(), onUnreadable: (record) => reported.push(record) });
		await saveSetting(db, 'theme', 'dark');
		await putRawRecord(db, 'settings', 'loud', 'logLevel');
		await putRawRecord(db, 'settings', -5, 'cacheMaxMb');
		expect(await loadSettings(db)).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
		expect(reported.map((r) => `${r.store} ${r.key}`)).toEqual(['settings logLevel', 'settings cacheMaxMb']);
		db.close();
	});
});
