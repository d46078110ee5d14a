import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { DEFAULT_SETTINGS } from '$lib/storage/settings';
import { SettingsState } from './settings.svelte';

const open = () => openDeckDb({ name: `settings-state-${Math.random()}` });

describe('SettingsState', () => {
	it('keeps servers and settings across a reload of the page', async () => {
		const db = open();
		const first = new SettingsState(db);
		await first.load();
		expect(first.loaded).toBe(true);
		expect(first.values).toEqual(DEFAULT_SETTINGS);

		const saved = await first.saveServer({ name: 'Studio', baseUrl: 'studio:8188', token: ' abc ' });
		await first.saveServer({ name: '', baseUrl: 'http://laptop:8188' });
		await first.set({ key: 'userInitials', value: 'AB' });

		const again = new SettingsState(db);
		await again.load();
		expect(again.servers.map((s) => [s.name, s.baseUrl, s.order, s.token])).toEqual([
			['Studio', 'http://studio:8188/', 0, 'abc'],
			['laptop:8188', 'http://laptop:8188/', 1, undefined]
		]);
		expect(again.values.userInitials).toBe('AB');
		expect(saved.ok && again.servers[0]?.id).toBe(saved.ok && saved.server.id);
	});

	it('updates a server in place, keeping its id and position', async () => {
		const state = new SettingsState(open());
		await state.load();
		const a = await state.saveServer({ name: 'A', baseUrl: 'http://a:8188' });
		await state.saveServer({ name: 'B', baseUrl: 'http://b:8188' });
		if (!a.ok) throw new Error('not saved');

		const renamed = await state.saveServer({ id: a.server.id, name: 'A prime', baseUrl: 'http://a2:8188' });

		expect(renamed.ok && renamed.server).toMatchObject({ id: a.server.id, order: 0, name: 'A prime' });
		expect(state.servers.map((s) => s.name)).toEqual(['A prime', 'B']);
	});

	it('refuses a name longer than a backup can carry, saying how long it is', async () => {
		const state = new SettingsState(open());
		await state.load();
		const result = await state.saveServer({ name: 'n'.repeat(2400), baseUrl: 'http://a:8188' });
		expect(!result.ok && result.errors.name).toMatch(/at most 200 characters; this one has 2400/);
		expect(state.servers).toEqual([]);
		expect((await state.saveServer({ name: 'n'.repeat(200), baseUrl: 'http://a:8188' })).ok).toBe(true);
	});

	it('refuses a server already in the list under another spelling, naming it, and saves nothing', async () => {
		const state = new SettingsState(open());
		await state.load();
		const first = await state.saveServer({ name: 'Studio', baseUrl: 'http://studio.lan/comfy/' });
		if (!first.ok) throw new Error('not saved');
		for (const spelling of [
			'HTTP://Studio.LAN:80/comfy',
			'studio.lan/comfy',
			' http://studio.lan/comfy/?x=1 '
		]) {
			const again = await state.saveServer({ name: 'Again', baseUrl: spelling });
			expect(again.ok).toBe(false);
			expect(!again.ok && again.errors.baseUrl).toBe(
				'This server is already in the list, as "Studio" (http://studio.lan/comfy/).'
			);
		}
		// The page's own ComfyUI counts too; editing a server without changing its address is no duplicate.
		const own = await state.saveServer({
			name: 'Own',
			baseUrl: 'http://127.0.0.1:8188',
			taken: [{ id: 'same-origin', name: 'This ComfyUI', baseUrl: 'http://127.0.0.1:8188/' }]
		});
		expect(!own.ok && own.errors.baseUrl).toContain('"This ComfyUI"');
		const renamed = await state.saveServer({
			id: first.server.id,
			name: 'Studio 2',
			baseUrl: 'studio.lan/comfy'
		});
		expect(renamed.ok).toBe(true);
		expect(state.servers.map((s) => s.name)).toEqual(['Studio 2']);
	});

	it('says what to fix in a bad server and saves nothing', async () => {
		const state = new SettingsState(open());
		await state.load();
		const result = await state.saveServer({ name: 'x', baseUrl: 'ftp://nowhere' });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.errors.baseUrl).toBeTruthy();
		// No name given: the address is what to fix, the optional name is not called missing.
		const unnamed = await state.saveServer({ name: '', baseUrl: 'box:6000' });
		expect(!unnamed.ok && unnamed.errors).toEqual({ baseUrl: expect.stringContaining('ERR_UNSAFE_PORT') });
		expect(state.servers).toEqual([]);
	});

	it('removes a server for good', async () => {
		const db = open();
		const state = new SettingsState(db);
		await state.load();
		const saved = await state.saveServer({ name: 'Gone', baseUrl: 'http://gone:8188' });
		if (!saved.ok) throw new Error('not saved');
		await state.removeServer(saved.server.id);
		expect(state.servers).toEqual([]);
		const again = new SettingsState(db);
		await again.load();
		expect(again.servers).toEqual([]);
	});

	it('works in memory and says so when IndexedDB cannot open', async () => {
		const state = new SettingsState(Promise.reject(new Error('blocked')));
		await state.load();
		expect(state.loaded).toBe(true);
		expect(state.storageError).toMatch(/cannot be saved in this browser.*blocked/);
		await state.set({ key: 'userInitials', value: 'CD' });
		expect(state.values.userInitials).toBe('CD');
		expect((await state.saveServer({ name: 'M', baseUrl: 'http://m:8188' })).ok).toBe(true);
		expect(state.servers).toHaveLength(1);
	});
});
