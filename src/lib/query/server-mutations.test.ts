import { QueryClient, QueryObserver } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import { serverKeys } from './keys';
import { freeMemoryMutation, runMutation, uploadMutation } from './server-mutations';

// query-core refetches nothing where there is no `window` (server rendering): Node plays a browser window here.
vi.hoisted(() => {
	(globalThis as { window?: unknown }).window ??= globalThis;
});

const answer = { name: 'cat.png', subfolder: '', type: 'input' };

describe('server mutations', () => {
	it('an upload marks the node definitions stale (their input lists changed), of that server only', async () => {
		const queryClient = new QueryClient();
		queryClient.setQueryData(serverKeys.objectInfo('s1'), {});
		queryClient.setQueryData(serverKeys.objectInfo('s2'), {});
		const api = { uploadImage: vi.fn(async () => answer), uploadMask: vi.fn(async () => answer) };
		const file = new Blob(['png']);

		await runMutation(queryClient, uploadMutation({ queryClient, serverId: 's1', api }), {
			file,
			filename: 'cat.png'
		});
		expect(api.uploadImage).toHaveBeenCalledWith({ file, filename: 'cat.png' });
		expect(queryClient.getQueryState(serverKeys.objectInfo('s1'))?.isInvalidated).toBe(true);
		expect(queryClient.getQueryState(serverKeys.objectInfo('s2'))?.isInvalidated).toBe(false);

		// A mask names its picture and goes to /upload/mask.
		const originalRef = { filename: 'cat.png', subfolder: '', type: 'input' };
		await runMutation(queryClient, uploadMutation({ queryClient, serverId: 's2', api }), {
			file,
			filename: 'clipspace-mask.png',
			originalRef
		});
		expect(api.uploadMask).toHaveBeenCalledWith({ file, filename: 'clipspace-mask.png', originalRef });
		expect(queryClient.getQueryState(serverKeys.objectInfo('s2'))?.isInvalidated).toBe(true);
	});

	it('a failed upload changes nothing and says why', async () => {
		const queryClient = new QueryClient();
		queryClient.setQueryData(serverKeys.objectInfo('s1'), {});
		const api = {
			uploadImage: async () => Promise.reject(new Error('Cannot reach http://box:8188/.')),
			uploadMask: async () => answer
		};
		await expect(
			runMutation(queryClient, uploadMutation({ queryClient, serverId: 's1', api }), {
				file: new Blob(['x']),
				filename: 'x.png'
			})
		).rejects.toThrow('Cannot reach http://box:8188/.');
		expect(queryClient.getQueryState(serverKeys.objectInfo('s1'))?.isInvalidated).toBe(false);
	});

	it('freeing memory reads the memory numbers again at once', async () => {
		const queryClient = new QueryClient();
		queryClient.mount();
		const readStats = vi.fn(async () => ({ vram: readStats.mock.calls.length }));
		// The header badge: the one active `system_stats` query.
		const observer = new QueryObserver(queryClient, {
			queryKey: serverKeys.systemStats('s1'),
			queryFn: readStats,
			staleTime: 30_000
		});
		const stop = observer.subscribe(() => {});
		await vi.waitFor(() => expect(readStats).toHaveBeenCalledTimes(1));
		const free = vi.fn(async () => undefined);
		await runMutation(queryClient, freeMemoryMutation({ queryClient, serverId: 's1', api: { free } }), {
			unloadModels: true,
			freeMemory: true
		});
		expect(free).toHaveBeenCalledWith({ unloadModels: true, freeMemory: true });
		await vi.waitFor(() => expect(readStats).toHaveBeenCalledTimes(2));
		stop();
		queryClient.unmount();
	});
});
