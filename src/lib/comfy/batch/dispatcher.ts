/**
 * The dispatch loop: releases items of the browser queue to servers just in time (room per server, a token
 * bucket, the servers' own queues), follows them through each server's job tracker, and brings back the ones a
 * server lost. It holds no policy of its own: every decision is one of the pure functions beside it.
 */
import { uuidv4, type JobChange, type JobTracker } from '../index';
import type { ObjectInfo } from '../workflow/object-info';
import {
	chooseServer,
	decideInFlight,
	finishedOnSocket,
	mayMoveItem,
	type ServerSnapshot
} from './dispatch-decision';
import {
	DEFAULT_MAX_IN_FLIGHT,
	inFlightByServer,
	isInFlight,
	markEndedOnSocket,
	markFinished,
	markReleased,
	markRunning,
	returnToQueue,
	type QueueEntry,
	type QueueResult,
	type QueueState
} from './queue';
import { requirementsOf, type Requirements } from './requirements';
import { createTokenBucket, type TokenBucketConfig } from './throttle';

/** One server as the dispatcher sees it. */
export interface DispatchServer {
	id: string;
	name: string;
	/** Its job tracker (`client.jobs`): where prompts are submitted and followed. */
	jobs: Pick<JobTracker, 'submit' | 'get' | 'subscribe'>;
	/** Health and capabilities now (the app: its query cache; tests: the socket). */
	snapshot(): Pick<ServerSnapshot, 'health' | 'capabilities'>;
}

export interface Clock {
	now(): number;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

export interface SubmitRequest {
	server: DispatchServer;
	entry: QueueEntry;
	/** Chosen (and stored in the queue) before the POST, so a reload knows what to look for. */
	promptId: string;
}

export interface DispatcherOptions {
	/** The servers in Settings now (read on every pass, so adding or removing one takes effect). */
	servers: () => DispatchServer[];
	/** The queue to start from (a snapshot read back after a reload). */
	initial: QueueState;
	/** A server's object_info, to tell which inputs name model files (any server's will do). */
	objectInfo?: () => ObjectInfo | undefined;
	/** Most items released or running per server (default 2). */
	maxInFlight?: number;
	/** A server whose own queue is longer gets nothing (default 8). */
	queueThreshold?: number;
	/** Submissions over all servers (default 10 a second, bursts of 4). */
	bucket?: TokenBucketConfig;
	clock?: Clock;
	/** Sends one prompt (default: the server's `jobs.submit`). Must persist a job record before the POST. */
	submit?: (request: SubmitRequest) => Promise<unknown>;
	newPromptId?: () => string;
	/** Called after every change, with the new state (store its snapshot) and why each waiting item waits. */
	onChange?: (state: QueueState, reasons: ReadonlyMap<string, string>) => void;
}

export interface Dispatcher {
	readonly state: QueueState;
	/** Why each waiting or in-flight item is where it is (item id → a sentence for the Queue view). */
	readonly reasons: ReadonlyMap<string, string>;
	/** Applies a queue operation (`addItems`, `pauseAll`, `moveItem`…) and dispatches; returns what was refused. */
	apply(operation: (state: QueueState) => QueueState | QueueResult): string[];
	/** Something changed outside (a server's health, the list of servers): look again. */
	refresh(): void;
	/** New limits from Settings; they apply from the next pass (items already sent stay where they are). */
	configure(settings: Pick<DispatcherOptions, 'maxInFlight' | 'queueThreshold' | 'bucket'>): void;
	/** Resolves when nothing is waiting or in flight (paused items aside). */
	idle(): Promise<void>;
	close(): void;
}

const DEFAULT_BUCKET: TokenBucketConfig = { ratePerSecond: 10, burst: 4 };
const systemClock: Clock = {
	now: () => Date.now(),
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export function createDispatcher(options: DispatcherOptions): Dispatcher {
	const clock = options.clock ?? systemClock;
	let maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
	let queueThreshold = options.queueThreshold ?? 8;
	let bucketConfig = options.bucket ?? DEFAULT_BUCKET;
	const bucket = createTokenBucket({ config: bucketConfig, now: () => clock.now() });
	const newPromptId = options.newPromptId ?? uuidv4;
	const submit =
		options.submit ??
		(({ server, entry, promptId }: SubmitRequest) =>
			server.jobs.submit({
				id: promptId,
				workflow: entry.workflow,
				extraData: entry.extraData,
				metadata: metadataOf(entry)
			}));

	let state = options.initial;
	// The state last handed to onChange: an operation applied between passes is reported by the next pass.
	let reported = state;
	// Names of servers seen, for messages about a server that has since been removed.
	const names = new Map<string, string>();
	let reasons = new Map<string, string>();
	const needs = new Map<string, Requirements>();
	// Prompt ids being POSTed now: their tracker record may not exist yet, which is not "never sent".
	const submitting = new Set<string>();
	// Prompt ids of the items in flight, refreshed after every pass (the job-change listener's filter).
	const inFlightPrompts = new Set<string>();
	const subscriptions = new Map<string, { jobs: DispatchServer['jobs']; unsubscribe: () => void }>();
	const idleWaiters = new Set<() => void>();
	let timer: unknown;
	let pumping = false;
	let again = false;
	let closed = false;

	function needsOf(entry: QueueEntry): Requirements {
		let n = needs.get(entry.id);
		if (!n) {
			// Read once: the app's looks through each server's query cache.
			const objectInfo = options.objectInfo?.();
			n = requirementsOf({ api: entry.workflow, objectInfo: objectInfo ?? {} });
			// An empty object_info tells no models apart: read again once one is there.
			if (objectInfo) needs.set(entry.id, n);
		}
		return n;
	}

	function syncSubscriptions(servers: DispatchServer[]) {
		for (const [id, sub] of subscriptions) {
			const server = servers.find((s) => s.id === id);
			if (!server || server.jobs !== sub.jobs) {
				sub.unsubscribe();
				subscriptions.delete(id);
			}
		}
		for (const server of servers) {
			names.set(server.id, server.name);
			if (subscriptions.has(server.id)) continue;
			const unsubscribe = server.jobs.subscribe((change: JobChange) => {
				// A set, not a scan of the queue: a job sends dozens of changes, and the queue may hold hundreds of items.
				if (inFlightPrompts.has(change.job.id) && mayMoveItem(change)) schedule();
			});
			subscriptions.set(server.id, { jobs: server.jobs, unsubscribe });
		}
	}

	/** Follows items in flight: what their servers' trackers say decides whether they run, end or come back. */
	function followInFlight(servers: DispatchServer[], nextReasons: Map<string, string>) {
		for (const entry of state.entries) {
			if (!isInFlight(entry) || !entry.promptId) continue;
			const server = servers.find((s) => s.id === entry.serverId);
			const job = server?.jobs.get(entry.promptId);
			const sending = submitting.has(entry.promptId);
			const answer = job
				? { status: job.status, error: job.error, finishedOnSocket: finishedOnSocket(job) }
				: sending || !server
					? undefined
					: // The tracker stores a record before it POSTs: none, and not sending, means it never went out.
						{
							status: 'failed' as const,
							error: { kind: 'connection' as const, message: 'it was never sent.' }
						};
			const decision = decideInFlight({
				serverName: server?.name ?? names.get(entry.serverId ?? '') ?? 'Its server',
				serverRemoved: !server,
				answer
			});
			switch (decision.action) {
				case 'wait':
					nextReasons.set(entry.id, decision.reason);
					break;
				case 'running':
					state = markRunning(state, { id: entry.id });
					break;
				case 'ended-on-socket':
					state = markEndedOnSocket(state, { id: entry.id });
					nextReasons.set(
						entry.id,
						`Finished on ${server?.name ?? 'its server'}; waiting for it to confirm.`
					);
					break;
				case 'done':
					state = markFinished(state, { id: entry.id, status: 'done', now: clock.now() });
					break;
				case 'failed':
					state = markFinished(state, {
						id: entry.id,
						status: 'failed',
						now: clock.now(),
						error: decision.error
					});
					break;
				case 'requeue':
					state = returnToQueue(state, { id: entry.id, reason: decision.reason });
					break;
			}
		}
	}

	/** Releases what can go now; stops at the first item the token bucket holds back (a timer is set). */
	function release(servers: DispatchServer[], nextReasons: Map<string, string>) {
		// Read only when something waits: a snapshot may fetch a server's object_info.
		let snapshots: ServerSnapshot[] | undefined;
		const ids = servers.map((s) => s.id);
		const inFlight = inFlightByServer(state);
		const full = (id: string) => (inFlight.get(id) ?? 0) >= maxInFlight;
		// Waiting items in release order, read lazily (as `releaseCandidates` would list them): most passes release
		// one item or none, and listing hundreds of waiting items on every job event would cost more than that.
		for (const entry of state.entries) {
			if (entry.status !== 'waiting') continue;
			// Once every server is full the rest simply wait.
			if (ids.every(full)) break;
			const target = entry.target;
			if (target.kind === 'server' && (!ids.includes(target.serverId) || full(target.serverId))) continue;
			const choice = chooseServer({
				needs: needsOf(entry),
				target: entry.target,
				servers: (snapshots ??= servers.map((s) => ({ id: s.id, name: s.name, ...s.snapshot() }))),
				inFlight,
				maxInFlight,
				queueThreshold
			});
			if (!choice.ok) {
				nextReasons.set(entry.id, choice.summary);
				continue;
			}
			const waitMs = bucket.take();
			if (waitMs > 0) {
				const rate = bucketConfig.ratePerSecond;
				nextReasons.set(entry.id, `waiting: sending at most ${rate} a second`);
				if (Number.isFinite(waitMs)) arm(waitMs);
				return;
			}
			const server = servers.find((s) => s.id === choice.serverId)!;
			const promptId = newPromptId();
			state = markReleased(state, { id: entry.id, serverId: server.id, promptId, now: clock.now() });
			// Worked out again if it ever comes back: the map holds only waiting items, not every item ever sent.
			needs.delete(entry.id);
			inFlight.set(server.id, (inFlight.get(server.id) ?? 0) + 1);
			nextReasons.set(entry.id, `Sending to ${server.name}.`);
			send(
				server,
				state.entries.find((e) => e.id === entry.id)!,
				promptId
			);
		}
	}

	function send(server: DispatchServer, entry: QueueEntry, promptId: string) {
		submitting.add(promptId);
		void Promise.resolve()
			.then(() => submit({ server, entry, promptId }))
			.catch(() => {
				// The tracker's record says what happened (failed, or pending until the server answers).
			})
			.finally(() => {
				submitting.delete(promptId);
				schedule();
			});
	}

	function arm(ms: number) {
		if (timer !== undefined) clock.clearTimeout(timer);
		timer = clock.setTimeout(() => {
			timer = undefined;
			pump();
		}, ms);
	}

	function pump() {
		if (closed) return;
		if (pumping) {
			again = true;
			return;
		}
		pumping = true;
		try {
			do {
				again = false;
				const servers = options.servers();
				syncSubscriptions(servers);
				const nextReasons = new Map<string, string>();
				followInFlight(servers, nextReasons);
				release(servers, nextReasons);
				for (const e of state.entries) {
					if (e.status === 'paused') nextReasons.set(e.id, 'Paused.');
					else if (e.status === 'waiting' && !nextReasons.has(e.id))
						nextReasons.set(e.id, unjudgedReason(e, servers, maxInFlight));
				}
				const changed = reported !== state || !sameReasons(reasons, nextReasons);
				reasons = nextReasons;
				reported = state;
				inFlightPrompts.clear();
				for (const e of state.entries) if (e.promptId && isInFlight(e)) inFlightPrompts.add(e.promptId);
				if (changed) options.onChange?.(state, reasons);
			} while (again && !closed);
		} finally {
			pumping = false;
		}
		if (!state.entries.some((e) => e.status === 'waiting' || isInFlight(e))) {
			for (const wake of idleWaiters) wake();
			idleWaiters.clear();
		}
	}

	let scheduled = false;
	/** Batches bursts of job events into one pass. */
	function schedule() {
		if (scheduled || closed) return;
		scheduled = true;
		queueMicrotask(() => {
			scheduled = false;
			pump();
		});
	}

	queueMicrotask(pump);

	return {
		get state() {
			return state;
		},
		get reasons() {
			return reasons;
		},
		apply(operation) {
			const result = operation(state);
			const next = 'refused' in result ? result : { state: result, refused: [] };
			state = next.state;
			pump();
			return next.refused;
		},
		refresh: schedule,
		configure(settings) {
			if (settings.maxInFlight !== undefined) maxInFlight = Math.max(1, Math.trunc(settings.maxInFlight));
			if (settings.queueThreshold !== undefined) queueThreshold = Math.max(0, settings.queueThreshold);
			if (settings.bucket) {
				bucketConfig = settings.bucket;
				bucket.configure(settings.bucket);
			}
			schedule();
		},
		idle() {
			if (!state.entries.some((e) => e.status === 'waiting' || isInFlight(e))) return Promise.resolve();
			return new Promise((resolve) => idleWaiters.add(resolve));
		},
		close() {
			closed = true;
			if (timer !== undefined) clock.clearTimeout(timer);
			for (const sub of subscriptions.values()) sub.unsubscribe();
			subscriptions.clear();
			for (const wake of idleWaiters) wake();
			idleWaiters.clear();
		}
	};
}

/** What the job record's metadata says of an item: its template and its place in a batch or grid. */
export function metadataOf(entry: QueueEntry): Record<string, unknown> | undefined {
	const metadata: Record<string, unknown> = {
		...(entry.app?.templateId ? { templateId: entry.app.templateId } : {}),
		...(entry.app?.templateName ? { templateName: entry.app.templateName } : {}),
		...(entry.app?.userInitials ? { userInitials: entry.app.userInitials } : {}),
		...(entry.group ? { batch: entry.group.id, batchKey: entry.group.key } : {})
	};
	return Object.keys(metadata).length ? metadata : undefined;
}

/** Why a waiting item no server was asked about waits: no server at all, its own server gone, or all full. */
function unjudgedReason(entry: QueueEntry, servers: DispatchServer[], maxInFlight: number): string {
	if (servers.length === 0) return 'No server is set up: add one in Settings.';
	const target = entry.target;
	if (target.kind === 'server' && !servers.some((s) => s.id === target.serverId))
		return 'Its server is not in Settings any more: choose another server for it.';
	return `Waiting for a free server (at most ${maxInFlight} each).`;
}

function sameReasons(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
	if (a.size !== b.size) return false;
	for (const [k, v] of a) if (b.get(k) !== v) return false;
	return true;
}
