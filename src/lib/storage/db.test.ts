import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
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
			await upgraded.put('browserQueue', { version: 1 }, 'queue');
			expect(await upgraded.get('browserQueue', 'queue')).toEqual({ version: 1 });
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
