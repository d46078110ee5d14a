/**
 * What the browser queue needs only once it starts: the dispatch loop and the queue's store (zod schemas
 * included). `DispatchState` loads this module on `start()`, so the layout's first load does not carry it.
 */
export { createDispatcher, metadataOf } from '$lib/comfy/batch/dispatcher';
export { loadBrowserQueue, saveBrowserQueue, setAsideBrowserQueue } from '$lib/storage/browser-queue';
