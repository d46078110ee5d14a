import type { DispatchServer } from '$lib/comfy/batch/dispatcher';
import type { QueueJobApp, ServerTarget } from '$lib/comfy/batch/queue';
import type { ObjectInfo } from '$lib/comfy/workflow/object-info';
import type { ApiWorkflow } from '$lib/comfy/workflow/types';

/** One item for `enqueue`: a ready API prompt, where it may run, and what its job record keeps. */
export interface DispatchItem {
	/** Unique in the queue (a UUID). */
	id: string;
	workflow: ApiWorkflow;
	/** A short text for lists ("CFG 5.5 · Seed 101"). */
	label?: string;
	/** The batch or grid it belongs to, and its key there. */
	group?: { id: string; key: string };
	/** One server (waits while it is away: "queue until it is back") or any that can run it. */
	target: ServerTarget;
	/** Higher goes first (default 0). */
	priority?: number;
	/** Template, form values, labels: the History record of its run. */
	app: QueueJobApp;
	/** ComfyUI's `extra_data` (the UI graph for the PNG). */
	extraData?: Record<string, unknown>;
}

/** A server as the dispatch state hands it to the dispatcher, with the address its job records name. */
export interface DispatchSource extends DispatchServer {
	baseUrl: string;
}

/** Where the dispatcher finds servers (given to the constructor or to `start`). */
export interface DispatchSources {
	/** Every server in Settings now (the app: `createAppDispatchServers`; tests: simulators). */
	servers: () => DispatchSource[];
	/** Any server's object_info, to tell which inputs name model files. */
	objectInfo?: () => ObjectInfo | undefined;
}
