import { uuidv4 } from '$lib/comfy';
import type { Expansion, ServerTarget } from '$lib/comfy/batch';
import { expandBatch } from '$lib/comfy/batch/expand';
import type { FormValues, ParameterDef, Template } from '$lib/comfy/workflow';
import { serverKeys } from '$lib/query/keys';
import { gridRecordFromExpansion, saveGrid, updateGridCells } from '$lib/storage/grids';
import { putJob, type StoredJob } from '$lib/storage/jobs';
import { errorMessage } from '$lib/util/error-message';
import type { AppState, ServerView } from './app.svelte';
import { batchItemsOf, type BatchRunItem } from './batch-items';
import { pickFreeServer, targetNote, type TargetServer } from './batch-target';

/**
 * The browser queue as a batch uses it: the app dispatcher's `enqueue` (items wait in the browser and go to
 * servers just in time). Returns why items were refused, empty when every one was queued.
 */
export interface BatchQueue {
	enqueue(options: { items: BatchRunItem[] }): string[];
}

/**
 * Sends a batch's items straight to one server's queue, in order: each job record is written before its POST (a
 * reload loses nothing) and its prompt id is the item's id. Stops at the first refusal and says how many went.
 * Used while the app has no browser queue to hand them to.
 * @returns the ids of the items sent.
 */
export async function submitBatchDirect({
	app,
	server,
	items,
	onsent
}: {
	app: AppState;
	server: ServerView;
	items: BatchRunItem[];
	/** Told of each item the server accepted, as it goes (a later refusal throws). */
	onsent?: (id: string) => void;
}): Promise<string[]> {
	const db = await app.db;
	const client = await app.jobs.clientFor(server);
	const sent: string[] = [];
	for (const item of items) {
		const created = Date.now();
		// As the dispatcher tags what it submits: the grid finds its runs through the jobs' byBatch index.
		const metadata = {
			templateId: item.app.templateId,
			templateName: item.app.templateName,
			batch: item.group.id,
			batchKey: item.group.key,
			...(item.app.userInitials ? { userInitials: item.app.userInitials } : {})
		};
		const job: StoredJob = {
			id: item.id,
			serverUrl: server.baseUrl,
			workflow: item.workflow,
			status: 'pending',
			outputs: [],
			timings: { created },
			attempts: 0,
			serverId: server.id,
			createdAt: created,
			metadata,
			app: { ...item.app }
		};
		try {
			await putJob(db, job);
			app.jobs.announce([item.id]);
			await client.jobs.submit({ id: item.id, workflow: item.workflow, extraData: item.extraData, metadata });
			sent.push(item.id);
			onsent?.(item.id);
		} catch (error) {
			throw new Error(
				`${sent.length} of ${items.length} runs were queued; ${item.label} was not: ${errorMessage(error)}`,
				{ cause: error }
			);
		}
	}
	return sent;
}

/** Every server as the "Run on" field sees it: its connection and queue length. */
export function targetServersOf(app: AppState): (TargetServer & { server: ServerView })[] {
	return app.servers.map((server) => {
		const c = app.connections.get(server.id);
		const queueLength = app.queryClient.getQueryData<number>(serverKeys.queueRemaining(server.id));
		return {
			server,
			id: server.id,
			name: server.name,
			status: c.status,
			...(c.message ? { message: c.message } : {}),
			...(queueLength !== undefined ? { queueLength } : {})
		};
	});
}

/**
 * The server a batch goes to when there is no browser queue: the chosen one, or the online one with the shortest
 * queue. A server not known to be online is checked first (2 s at most), so an unreachable one is said at once
 * and nothing is queued.
 */
export async function resolveTarget({
	app,
	target
}: {
	app: AppState;
	target: ServerTarget;
}): Promise<ServerView> {
	let servers = targetServersOf(app);
	const wanted = target.kind === 'server' ? servers.filter((s) => s.id === target.serverId) : servers;
	if (wanted.length && !wanted.some((s) => s.status === 'online')) {
		await Promise.all(wanted.map((s) => app.connections.check({ server: s.server, timeoutMs: 2_000 })));
		servers = targetServersOf(app);
	}
	const chosen = pickFreeServer(
		target.kind === 'server' ? servers.filter((s) => s.id === target.serverId) : servers
	);
	if (chosen) return chosen.server;
	const value = target.kind === 'server' ? target.serverId : 'any';
	throw new Error(
		`${targetNote({ value, servers }) || 'No server can take the runs now.'} Nothing was queued.`
	);
}

/**
 * Starts a batch or grid from a form: its items made from the template, a grid's record stored (so its view
 * opens at `#/grids/<id>`), then the items handed to the browser queue, or sent straight to a server while
 * there is none. Throws with a message for the builder when nothing (or not everything) was queued.
 */
export async function launchBatch({
	app,
	template,
	expansion,
	target,
	queue
}: {
	app: AppState;
	template: Template;
	expansion: Expansion;
	target: ServerTarget;
	queue?: BatchQueue;
}): Promise<{ groupId: string; gridId?: string }> {
	// Without a browser queue to wait in, the runs need a server that answers now.
	const route = queue ? { queue } : { server: await resolveTarget({ app, target }) };
	const groupId = uuidv4();
	const initials = app.settings.values.userInitials.trim();
	const plain = $state.snapshot(template) as Template;
	const made = await batchItemsOf({
		template: plain,
		expansion,
		target,
		groupId,
		...(initials ? { userInitials: initials } : {})
	});
	if (!made.ok) throw new Error(made.message);
	const db = await app.db;
	const isGrid = Boolean(expansion.axes.x);
	if (isGrid) {
		const grid = gridRecordFromExpansion({
			id: groupId,
			template: plain,
			expansion,
			itemIds: made.items.map((i) => i.id),
			parameters: plain.parameters
		});
		await saveGrid({ db, grid });
	}
	const done = { groupId, ...(isGrid ? { gridId: groupId } : {}) };
	if (route.queue) {
		const refused = route.queue.enqueue({ items: made.items });
		if (refused.length) throw new Error(refused.join(' '));
		return done;
	}
	const { server } = route;
	const sent = new Set<string>();
	try {
		await submitBatchDirect({ app, server, items: made.items, onsent: (id) => sent.add(id) });
	} finally {
		// Sent straight, an item's id is its prompt id: the grid knows each cell's run at once.
		const runs = made.items
			.filter((i) => sent.has(i.id))
			.map((i) => ({ key: i.group.key, promptId: i.id, serverId: server.id }));
		if (isGrid && runs.length) await updateGridCells({ db, gridId: groupId, runs });
	}
	return done;
}

/**
 * One run of a form as it is, handed to the browser queue for `serverId` (a server known to be unreachable): it
 * waits there until that server is back. Returns what to tell the user.
 */
export async function queueRunUntilBack(o: {
	app: AppState;
	form: {
		template: Template;
		effectiveParameters: ParameterDef[];
		values: FormValues;
		advanceSeeds(): void;
	};
	serverId: string;
	queue: BatchQueue | undefined;
}): Promise<string> {
	const expansion = expandBatch({
		parameters: o.form.effectiveParameters,
		values: $state.snapshot(o.form.values) as FormValues,
		count: 1,
		seedMode: 'fixed'
	});
	if (!expansion.ok) return expansion.issues.map((i) => i.message).join(' ');
	await launchBatch({
		app: o.app,
		template: o.form.template,
		expansion,
		target: { kind: 'server', serverId: o.serverId },
		queue: o.queue
	});
	o.form.advanceSeeds();
	const name = o.app.servers.find((s) => s.id === o.serverId)?.name ?? 'the server';
	return `Queued: the run waits in this browser until ${name} is back (see Queue).`;
}
