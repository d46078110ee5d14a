import 'fake-indexeddb/auto';
import { QueryClient } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import type { ObjectInfo } from '$lib/comfy';
import { openDeckDb } from '$lib/storage/db';
import { serverKeys } from './keys';
import { ServerDataCache } from './server-data-cache';
import { cachedThenFresh, objectInfoQuery } from './server-queries';

// query-core refetches nothing where there is no `window` (server rendering): Node plays a browser window here.
vi.hoisted(() => {
	(globalThis as { window?: unknown }).window ??= globalThis;
});

let n = 0;
const dbName = () => `server-data-${n++}-${Math.random().toString(36).slice(2)}`;

const nodes = (...names: string[]): ObjectInfo =>
	Object.fromEntries(
		names.map((name) => [name, { input: { required: { seed: ['INT', { default: 0 }] } }, output: [] }])
	) as ObjectInfo;

const statsOf = (version: string) => ({
	stats: { system: { comfyui_version: version }, devices: [] },
	latencyMs: 3,
	at: 1
});

/** One visit: a page's query client and cache over the same database. */
async function visit(name: string) {
	const unreadable: string[] = [];
	const db = openDeckDb({ name, onUnreadable: (r) => unreadable.push(`${r.key}: ${r.problem}`) });
	const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
	const cache = new ServerDataCache({ queryClient, db });
	const stop = cache.start();
	return { db: await db, queryClient, cache, stop, unreadable };
}

/** What the badge's check does: a `system_stats` answer naming the server's version. */
async function checked(queryClient: QueryClient, serverId: string, version: string) {
	await queryClient.fetchQuery({
		queryKey: serverKeys.systemStats(serverId),
		queryFn: async () => statsOf(version)
	});
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ServerDataCache', () => {
	it('opens the next visit from what the server said, at once, and reads it again in the background', async () => {
		const name = dbName();
		const first = await visit(name);
		await checked(first.queryClient, 's1', '0.8.0');
		const getObjectInfo = vi.fn(async () => nodes('KSampler', 'SaveImage'));
		await first.queryClient.fetchQuery(objectInfoQuery({ serverId: 's1', api: { getObjectInfo } }));
		await vi.waitFor(async () => expect(await first.db.count('serverData')).toBe(1));
		expect((await first.db.get('serverData', ['s1', 'object_info']))?.version).toBe('0.8.0');
		first.stop();
		first.db.close();

		// A reload with the server stopped: the stored answer is there before any request.
		const second = await visit(name);
		const offline = vi.fn(async (): Promise<ObjectInfo> =>
			Promise.reject(new Error('Cannot reach the server.'))
		);
		await second.cache.hydrate('s1');
		const query = objectInfoQuery({ serverId: 's1', api: { getObjectInfo: offline } });
		const answer = await cachedThenFresh(second.queryClient, { ...query, staleTime: 0 });
		expect(Object.keys(answer.data)).toEqual(['KSampler', 'SaveImage']);
		// It was stale, so the server is asked; its failure does not take the cached answer away.
		expect(await answer.fresh).toMatchObject({ ok: false });
		expect(offline).toHaveBeenCalledTimes(1);
		expect(Object.keys(second.queryClient.getQueryData(query.queryKey) ?? {})).toEqual([
			'KSampler',
			'SaveImage'
		]);
		second.stop();
	});

	it('replaces the cache when the server answers with another version', async () => {
		const name = dbName();
		const first = await visit(name);
		await checked(first.queryClient, 's1', '0.7.0');
		await first.queryClient.fetchQuery(
			objectInfoQuery({ serverId: 's1', api: { getObjectInfo: async () => nodes('OldNode') } })
		);
		await vi.waitFor(async () => expect(await first.db.count('serverData')).toBe(1));
		first.stop();

		// Next visit: the stored answer shows first; then the check says the server was upgraded.
		const second = await visit(name);
		await second.cache.hydrate('s1');
		expect(second.queryClient.getQueryData(serverKeys.objectInfo('s1'))).toHaveProperty('OldNode');
		await checked(second.queryClient, 's1', '0.8.0');
		await flush();
		expect(second.queryClient.getQueryData(serverKeys.objectInfo('s1'))).toBeUndefined();
		expect(await second.db.count('serverData')).toBe(0);

		// What the new version says is stored under it.
		await second.queryClient.fetchQuery(
			objectInfoQuery({ serverId: 's1', api: { getObjectInfo: async () => nodes('NewNode') } })
		);
		await vi.waitFor(async () =>
			expect((await second.db.get('serverData', ['s1', 'object_info']))?.version).toBe('0.8.0')
		);
		second.stop();
	});

	it('does not show what another version said when the check already answered', async () => {
		const name = dbName();
		const first = await visit(name);
		await checked(first.queryClient, 's1', '0.7.0');
		await first.queryClient.fetchQuery(
			objectInfoQuery({ serverId: 's1', api: { getObjectInfo: async () => nodes('OldNode') } })
		);
		await vi.waitFor(async () => expect(await first.db.count('serverData')).toBe(1));
		first.stop();

		const second = await visit(name);
		await checked(second.queryClient, 's1', '0.8.0');
		await second.cache.hydrate('s1');
		expect(second.queryClient.getQueryData(serverKeys.objectInfo('s1'))).toBeUndefined();
		expect(await second.db.count('serverData')).toBe(0);
		second.stop();
	});

	it('keeps servers apart, keeps newer data, and forgets removed servers', async () => {
		const name = dbName();
		const first = await visit(name);
		for (const id of ['a', 'b']) {
			first.queryClient.setQueryData(serverKeys.systemStats(id), statsOf('0.8.0'));
			await first.queryClient.fetchQuery({
				queryKey: serverKeys.features(id),
				queryFn: async () => ({ max_upload_size: id === 'a' ? 100 : 200 })
			});
		}
		await vi.waitFor(async () => expect(await first.db.count('serverData')).toBe(2));
		first.stop();

		const second = await visit(name);
		second.queryClient.setQueryData(serverKeys.features('a'), { max_upload_size: 999 });
		await Promise.all([second.cache.hydrate('a'), second.cache.hydrate('b')]);
		expect(second.queryClient.getQueryData(serverKeys.features('a'))).toEqual({ max_upload_size: 999 });
		expect(second.queryClient.getQueryData(serverKeys.features('b'))).toEqual({ max_upload_size: 200 });
		await second.cache.retain(['b']);
		expect(await second.db.getAllKeys('serverData')).toEqual([['b', 'features']]);
		second.stop();
	});

	it('skips a stored answer that no longer reads, and the query fetches as without a cache', async () => {
		const name = dbName();
		const { db, queryClient, cache, stop, unreadable } = await visit(name);
		await db.put('serverData', { serverId: 's1', kind: 'models', data: { folders: 'nope' }, savedAt: 1 });
		await cache.hydrate('s1');
		expect(queryClient.getQueryData(serverKeys.models('s1'))).toBeUndefined();
		expect(unreadable).toEqual([expect.stringMatching(/^s1 models: folders: expected a list/)]);
		expect(await db.count('serverData')).toBe(0);
		stop();
	});
});
