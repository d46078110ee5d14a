import { pendingInRunOrder, type Queue } from '$lib/comfy';
import type { AppState, ServerView } from './app.svelte';
import { errorMessage } from '$lib/util/error-message';

/** One prompt in a server's queue, as the Queue view lists it. */
export interface QueueRow {
	promptId: string;
	number: number;
	running: boolean;
	/** 0 = runs next (pending only). */
	position?: number;
	nodeCount: number;
	/** True when this browser submitted it (it is in our job records). */
	ours: boolean;
	templateName?: string;
}

/** A server's queue as last read. */
export interface ServerQueue {
	rows: QueueRow[];
	error?: string;
	loadedAt?: number;
}

const POLL_MS = 2_000;

/** Turns `/queue` into rows: running first, then pending in the order they will run (ComfyUI sorts by number). */
export function queueRows(
	queue: Queue,
	ours: (promptId: string) => { templateName?: string } | undefined
): QueueRow[] {
	const row = (item: Queue['queue_running'][number], running: boolean, position?: number): QueueRow => {
		const mine = ours(item[1]);
		return {
			promptId: item[1],
			number: item[0],
			running,
			position,
			nodeCount: Object.keys(item[2]).length,
			ours: Boolean(mine),
			templateName: mine?.templateName
		};
	};
	return [
		...queue.queue_running.map((item) => row(item, true)),
		...pendingInRunOrder(queue).map((item, position) => row(item, false, position))
	];
}

/**
 * Every server's queue, polled while the Queue view is open and the page visible, with the operations ComfyUI
 * offers: remove a pending prompt, interrupt the running one, clear the pending queue.
 */
export class QueueState {
	byServer = $state<Record<string, ServerQueue | undefined>>({});
	#app: AppState;

	constructor(app: AppState) {
		this.#app = app;
	}

	/** Reads one server's queue now. */
	async refresh(server: ServerView): Promise<void> {
		try {
			const queue = await this.#app.apiFor(server).getQueue({ timeoutMs: 5_000 });
			this.byServer[server.id] = {
				rows: queueRows(queue, (id) => {
					const job = this.#app.jobs.byId[id];
					return job ? { templateName: job.metadata?.templateName as string | undefined } : undefined;
				}),
				loadedAt: Date.now()
			};
		} catch (error) {
			this.byServer[server.id] = {
				rows: this.byServer[server.id]?.rows ?? [],
				error: errorMessage(error)
			};
		}
	}

	/** Polls every server every 2 s while the page is visible; returns the stop function. */
	watch(servers: () => ServerView[]): () => void {
		const poll = () => {
			if (document.visibilityState === 'visible') for (const server of servers()) void this.refresh(server);
		};
		poll();
		const timer = setInterval(poll, POLL_MS);
		document.addEventListener('visibilitychange', poll);
		return () => {
			clearInterval(timer);
			document.removeEventListener('visibilitychange', poll);
		};
	}

	/** Removes a pending prompt; for our own jobs the tracker does it so their records say "cancelled". */
	async remove(server: ServerView, row: QueueRow): Promise<void> {
		if (row.ours) await this.#app.jobs.clientFor(server).jobs.cancel(row.promptId);
		else if (row.running) await this.#app.apiFor(server).interrupt({ promptId: row.promptId });
		else await this.#app.apiFor(server).deleteFromQueue({ promptIds: [row.promptId] });
		await this.refresh(server);
	}

	/** Clears every pending prompt of a server (the running one keeps running). */
	async clearPending(server: ServerView): Promise<void> {
		await this.#app.apiFor(server).clearQueue();
		await this.refresh(server);
		// Our own jobs that were pending learn it from the tracker's reconciliation.
		void this.#app.jobs.clientFor(server).jobs.reconcile();
	}
}
