import { MutationObserver, type MutationOptions, type QueryClient } from '@tanstack/svelte-query';
import type { ComfyApi, FileRef, UploadOptions, UploadResponse } from '$lib/comfy';
import { serverKeys } from './keys';

/** What `/free` is asked to do. */
export interface FreeRequest {
	unloadModels: boolean;
	freeMemory: boolean;
}

/**
 * Unloading models / freeing memory on a server: the memory numbers change, so its `system_stats` is read again at
 * once (the header's check refetches; a live view's 3 s poll shows the rest, as ComfyUI applies it between prompts).
 */
export function freeMemoryMutation(o: {
	queryClient: QueryClient;
	serverId: string;
	api: Pick<ComfyApi, 'free'>;
}): MutationOptions<void, Error, FreeRequest> {
	return {
		mutationKey: [...serverKeys.all(o.serverId), 'free'],
		mutationFn: async (request) => {
			await o.api.free(request);
		},
		onSuccess: () => o.queryClient.invalidateQueries({ queryKey: serverKeys.systemStats(o.serverId) })
	};
}

/** An upload: an image, or a mask when it names the picture it belongs to (`originalRef`). */
export type UploadRequest = UploadOptions & { originalRef?: FileRef };

/**
 * Uploading a file (image or mask) to a server's input folder: the input lists of its node definitions (LoadImage's
 * choices) change, so `object_info` is marked stale and read again when a view next needs it.
 */
export function uploadMutation(o: {
	queryClient: QueryClient;
	serverId: string;
	api: Pick<ComfyApi, 'uploadImage' | 'uploadMask'>;
}): MutationOptions<UploadResponse, Error, UploadRequest> {
	return {
		mutationKey: [...serverKeys.all(o.serverId), 'upload'],
		mutationFn: ({ originalRef, ...request }) =>
			originalRef ? o.api.uploadMask({ ...request, originalRef }) : o.api.uploadImage(request),
		onSuccess: () => o.queryClient.invalidateQueries({ queryKey: serverKeys.objectInfo(o.serverId) })
	};
}

/**
 * Runs a mutation from a state class or a plain function (outside a component, where `createMutation` cannot be
 * used): it goes through the query client's mutation cache like any other, and its `onSuccess` invalidates.
 */
export function runMutation<TData, TVariables>(
	queryClient: QueryClient,
	options: MutationOptions<TData, Error, TVariables>,
	variables: TVariables
): Promise<TData> {
	return new MutationObserver<TData, Error, TVariables>(queryClient, options).mutate(variables);
}
