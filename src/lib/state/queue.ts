// No runes here (the reactivity is svelte-query's), so a plain .ts module; QueueState must still be created while a
// component initialises, or inside $effect.root (its test).
import {
	createMutation,
	createQueries,
	type CreateMutationResult,
	type CreateQueryResult
} from '@tanstack/svelte-query';
import { pendingInRunOrder, type Queue } from '$lib/comfy';
import { progressFraction } from '$lib/comfy/job-progress';
import { moveToFrontOnServer, type MoveToFrontResult } from '$lib/comfy/queue-front';
import { serverKeys } from '$lib/query/keys';
import { queueQuery } from '$lib/query/server-queries';
import { errorMessage } from '$lib/util/error-message';
import type { AppState, ServerView } from './app.svelte';

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
	/** 0–1, for our own running prompt (from its job's progress). */
	fraction?: number;
	/** Our own running prompt's latest live preview. */
	previewUrl?: string;
}

/** A server's queue as last read. */
export interface ServerQueue {
	rows: QueueRow[];
	error?: string;
	loadedAt?: number;
}

/** Turns `/queue` into rows: running first, then pending in the order they will run (ComfyUI sorts by number). */
export function queueRows({
	queue,
	ours
}: {
	queue: Queue;
	/** What this browser knows of a prompt it sent (undefined for any other prompt). */
	ours: (promptId: string) => { templateName?: string; fraction?: number; previewUrl?: string } | undefined;
}): QueueRow[] {
	const row = (item: Queue['queue_running'][number], running: boolean, position?: number): QueueRow => {
		const mine = ours(item[1]);
		return {
			promptId: item[1],
			number: item[0],
			running,
			position,
			nodeCount: Object.keys(item[2]).length,
			ours: Boolean(mine),
			templateName: mine?.templateName,
			...(running && mine?.fraction !== undefined ? { fraction: mine.fraction } : {}),
			...(running && mine?.previewUrl ? { previewUrl: mine.previewUrl } : {})
		};
	};
	return [
		...queue.queue_running.map((item) => row(item, true)),
		...pendingInRunOrder(queue).map((item, position) => row(item, false, position))
	];
}

/**
 * Every server's queue from the shared query cache: read while the Queue view is open and the page visible, again
 * at once whenever the server's socket says the queue changed, and not at all while the server is unreachable.
 * Removing a prompt, interrupting the running one and clearing the pending queue are mutations that invalidate the
 * queue they changed. Create it while a component initialises (it subscribes to queries).
 */
export class QueueState {
	#app: AppState;
	#queries: CreateQueryResult<Queue>[];
	#remove: CreateMutationResult<void, Error, { server: ServerView; row: QueueRow }>;
	#clear: CreateMutationResult<void, Error, ServerView>;
	#front: CreateMutationResult<MoveToFrontResult, Error, { server: ServerView; row: QueueRow }>;

	constructor({ app }: { app: AppState }) {
		this.#app = app;
		const invalidate = (server: ServerView) =>
			app.queryClient.invalidateQueries({ queryKey: serverKeys.queue(server.id) });
		this.#queries = createQueries(
			() => ({
				queries: app.servers.map((server) =>
					queueQuery({
						serverId: server.id,
						api: app.apiFor(server),
						enabled: app.started && app.connections.get(server.id).status !== 'offline'
					})
				)
			}),
			() => app.queryClient
		);
		this.#remove = createMutation(
			() => ({
				mutationFn: async ({ server, row }: { server: ServerView; row: QueueRow }) => {
					// Our own jobs go through the tracker so their records say "cancelled".
					if (row.ours) await (await app.jobs.clientFor(server)).jobs.cancel(row.promptId);
					else if (row.running) await app.apiFor(server).interrupt({ promptId: row.promptId });
					else await app.apiFor(server).deleteFromQueue({ promptIds: [row.promptId] });
				},
				onSettled: (_data, _error, { server }) => invalidate(server)
			}),
			() => app.queryClient
		);
		this.#front = createMutation(
			() => ({
				mutationFn: async ({ server, row }: { server: ServerView; row: QueueRow }) => {
					const job = app.jobs.byId[row.promptId];
					if (!job) return { ok: false, message: 'Only prompts sent from this browser can be moved.' };
					const client = await app.jobs.clientFor(server);
					return moveToFrontOnServer({
						api: app.apiFor(server),
						promptId: row.promptId,
						workflow: job.workflow,
						clientId: client.socket.clientId,
						...(job.extraData ? { extraData: job.extraData } : {})
					});
				},
				onSettled: (_data, _error, { server }) => invalidate(server)
			}),
			() => app.queryClient
		);
		this.#clear = createMutation(
			() => ({
				mutationFn: async (server: ServerView) => {
					await app.apiFor(server).clearQueue();
					// Our own jobs that were pending learn it from the tracker's reconciliation.
					void app.jobs.clientFor(server).then((client) => client.jobs.reconcile());
				},
				onSettled: (_data, _error, server) => invalidate(server)
			}),
			() => app.queryClient
		);
	}

	/** Each server's queue as last read (undefined before the first read). */
	get byServer(): Record<string, ServerQueue | undefined> {
		const byServer: Record<string, ServerQueue | undefined> = {};
		this.#app.servers.forEach((server, i) => {
			const query = this.#queries[i];
			const connection = this.#app.connections.get(server.id);
			const rows = query?.data ? this.#rows(query.data) : [];
			if (connection.status === 'offline') byServer[server.id] = { rows, error: connection.message };
			else if (query?.error) byServer[server.id] = { rows, error: query.error.message };
			else if (query?.data) byServer[server.id] = { rows, loadedAt: query.dataUpdatedAt };
		});
		return byServer;
	}

	/** Removes a pending prompt, or interrupts it when running. */
	remove(target: { server: ServerView; row: QueueRow }): Promise<void> {
		return this.#remove.mutateAsync(target);
	}

	/**
	 * Moves a prompt of ours that waits on a server to the head of its queue (deleted and sent again with `front`,
	 * same prompt id). Resolves with why it was not moved, or null.
	 */
	async moveToFront(target: { server: ServerView; row: QueueRow }): Promise<string | null> {
		try {
			const result = await this.#front.mutateAsync(target);
			return result.ok ? null : result.message;
		} catch (error) {
			return `It could not be moved: ${errorMessage(error)}`;
		}
	}

	/** Clears every pending prompt of a server (the running one keeps running). */
	clearPending({ server }: { server: ServerView }): Promise<void> {
		return this.#clear.mutateAsync(server);
	}

	#rows(queue: Queue): QueueRow[] {
		return queueRows({
			queue,
			ours: (id) => {
				const job = this.#app.jobs.byId[id];
				if (!job) return undefined;
				const previewUrl = this.#app.jobs.previews[id]?.url;
				return {
					templateName: job.metadata?.templateName as string | undefined,
					fraction: progressFraction(job),
					...(previewUrl ? { previewUrl } : {})
				};
			}
		});
	}
}
