/**
 * The browser's own queue: items wait here and are released to servers just in time, so the user can pause,
 * reorder, reprioritize and remove them before any server sees them. Every operation is a pure function from one
 * state to the next (plain, structured-cloneable data, stored as a snapshot in IndexedDB).
 *
 * Order: the pending items (waiting or paused) in array order are the release order, kept sorted by priority,
 * highest first; reordering rewrites only the slots pending items occupy, so finished items stay where they are.
 */
import type { ApiWorkflow } from '../workflow/types';

/**
 * `waiting` (will be released) · `paused` (held) · `released` (sent to a server, not started) · `running` ·
 * `done` · `failed`.
 */
export type QueueItemStatus = 'waiting' | 'paused' | 'released' | 'running' | 'done' | 'failed';

/** Where an item may run: the first suitable server, or one server only. */
export type ServerTarget = { kind: 'any' } | { kind: 'server'; serverId: string };

/**
 * What the app records with the job an item becomes, so it lands in History like a run from the form: its
 * template, form values and labels. The queue passes it through untouched.
 */
export interface QueueJobApp {
	templateId?: string;
	templateName?: string;
	presetId?: string;
	/** The form values that made the workflow. */
	parameters?: Record<string, unknown>;
	/** Canonical hash of the API prompt (the result cache's key). */
	promptHash?: string;
	/** A random seed made it: its result is never served from the cache. */
	randomized?: boolean;
	tags?: string[];
	note?: string;
	userInitials?: string;
	/** The run's style label (free text). */
	style?: string;
	/** A batch item's label (what it varies) and its group (a batch or grid, and its key in it). */
	label?: string;
	groupId?: string;
	groupKey?: string;
}

/** A release that did not end the item (the server lost it or never got it). */
export interface QueueAttempt {
	serverId: string;
	promptId: string;
	releasedAt: number;
	/** Why the item came back, in words for the Queue view. */
	reason: string;
}

export interface QueueEntry {
	id: string;
	status: QueueItemStatus;
	/** Higher runs first; equal priorities keep their order. */
	priority: number;
	target: ServerTarget;
	/** The API prompt to send. */
	workflow: ApiWorkflow;
	/** The batch or grid it belongs to, and its key there (`z0-y1-x2-r0-n0`). */
	group?: { id: string; key: string };
	/** A short text for lists ("CFG 5.5 · Sampler euler"). */
	label?: string;
	/** What its job record keeps (template, form values, labels). */
	app?: QueueJobApp;
	/** Sent with the prompt as ComfyUI's `extra_data` (`extra_pnginfo.workflow`: the UI graph for the PNG). */
	extraData?: Record<string, unknown>;
	createdAt: number;
	/** Set while released or running, and kept when it ends. */
	serverId?: string;
	promptId?: string;
	releasedAt?: number;
	finishedAt?: number;
	/** Running, every node seen done on the socket: its slot is free, but it is followed until its server confirms. */
	endedOnSocket?: boolean;
	/** Why it failed, for a failed item. */
	error?: string;
	/** Earlier releases that came back to the queue. */
	attempts: QueueAttempt[];
}

export interface QueueState {
	/** While true, new items arrive paused (see `pauseAll`). */
	paused: boolean;
	entries: QueueEntry[];
}

/** What an operation did: the next state, and why some of it was refused (empty when all of it was done). */
export interface QueueResult {
	state: QueueState;
	refused: string[];
}

/** The default limit of items in flight (released or running) per server. */
export const DEFAULT_MAX_IN_FLIGHT = 2;

export function emptyQueue(): QueueState {
	return { paused: false, entries: [] };
}

export function isPending(entry: QueueEntry): boolean {
	return entry.status === 'waiting' || entry.status === 'paused';
}

export function isInFlight(entry: QueueEntry): boolean {
	return entry.status === 'released' || entry.status === 'running';
}

/** New entries for `add`: everything but the bookkeeping the queue fills in. */
export type NewEntry = Pick<QueueEntry, 'id' | 'workflow'> &
	Partial<Pick<QueueEntry, 'priority' | 'target' | 'group' | 'label' | 'app' | 'extraData'>>;

/** Queues new items at the end of their priority (or first among it, with `front`). Duplicate ids are refused. */
export function addItems(
	state: QueueState,
	{ items, now, front = false }: { items: NewEntry[]; now: number; front?: boolean }
): QueueResult {
	const refused: string[] = [];
	const ids = new Set(state.entries.map((e) => e.id));
	const added: QueueEntry[] = [];
	let pending = pendingOf(state);
	for (const item of items) {
		if (ids.has(item.id)) {
			refused.push(`${item.id} is already in the queue.`);
			continue;
		}
		ids.add(item.id);
		const entry: QueueEntry = {
			...item,
			priority: item.priority ?? 0,
			target: item.target ?? { kind: 'any' },
			status: state.paused ? 'paused' : 'waiting',
			createdAt: now,
			attempts: []
		};
		added.push(entry);
		pending = insertByPriority(pending, entry, front ? 'first' : 'last');
	}
	// New items take new slots at the end; all pending slots are then refilled in the new release order.
	return { state: withPending({ ...state, entries: [...state.entries, ...added] }, pending), refused };
}

/** Holds every pending item and every item added until `resumeAll`. */
export function pauseAll(state: QueueState): QueueState {
	return {
		paused: true,
		entries: state.entries.map((e) => (e.status === 'waiting' ? { ...e, status: 'paused' } : e))
	};
}

export function resumeAll(state: QueueState): QueueState {
	return {
		paused: false,
		entries: state.entries.map((e) => (e.status === 'paused' ? { ...e, status: 'waiting' } : e))
	};
}

/** Holds some items (only pending ones can be held). */
export function pauseItems(state: QueueState, { ids }: { ids: string[] }): QueueResult {
	return setPendingStatus(state, ids, 'paused');
}

/** Lets held items go again, even while the whole queue is paused (the user asked for these). */
export function resumeItems(state: QueueState, { ids }: { ids: string[] }): QueueResult {
	return setPendingStatus(state, ids, 'waiting');
}

/**
 * Moves a pending item to `index` of the pending list (0 = released next). It takes the priority of the item it
 * now follows (or of the first item, when moved to the front), so the order holds.
 */
export function moveItem(state: QueueState, { id, index }: { id: string; index: number }): QueueResult {
	const pending = pendingOf(state);
	const from = pending.findIndex((e) => e.id === id);
	const refusal = refusePending(state, id);
	if (from < 0 || refusal) return { state, refused: [refusal ?? `${id} is not in the queue.`] };
	const entry = pending[from]!;
	const rest = pending.filter((e) => e.id !== id);
	const at = Math.max(0, Math.min(rest.length, Math.trunc(index)));
	const before = rest[at - 1];
	const after = rest[at];
	const priority = before ? before.priority : Math.max(entry.priority, after?.priority ?? entry.priority);
	// Moving down past a lower priority lowers this item's; moving up raises it: the drop position wins.
	const moved = { ...entry, priority };
	const next = [...rest.slice(0, at), moved, ...rest.slice(at)];
	return { state: withPending(state, next), refused: [] };
}

/** Released next: first of the pending list, priority raised to the highest pending one if needed. */
export function moveToFront(state: QueueState, { id }: { id: string }): QueueResult {
	return moveItem(state, { id, index: 0 });
}

/** Sets a pending item's priority; it goes last among the items of that priority. */
export function changePriority(
	state: QueueState,
	{ id, priority }: { id: string; priority: number }
): QueueResult {
	const refusal = refusePending(state, id);
	if (refusal) return { state, refused: [refusal] };
	if (!Number.isFinite(priority)) return { state, refused: ['A priority must be a number.'] };
	const pending = pendingOf(state);
	const entry = pending.find((e) => e.id === id)!;
	const next = insertByPriority(
		pending.filter((e) => e.id !== id),
		{ ...entry, priority },
		'last'
	);
	return { state: withPending(state, next), refused: [] };
}

/**
 * Removes items that are still in the browser (pending) or over (done, failed). Items on a server are refused:
 * they must be cancelled there first.
 */
export function removeItems(state: QueueState, { ids }: { ids: string[] }): QueueResult {
	const refused: string[] = [];
	const drop = new Set<string>();
	for (const id of ids) {
		const entry = state.entries.find((e) => e.id === id);
		if (!entry) refused.push(`${id} is not in the queue.`);
		else if (isInFlight(entry))
			refused.push(`${entry.label ?? id} is on a server already: cancel it there instead.`);
		else drop.add(id);
	}
	return { state: { ...state, entries: state.entries.filter((e) => !drop.has(e.id)) }, refused };
}

/** Items released or running, per server id (those that ended on the socket hold no slot any more). */
export function inFlightByServer(state: QueueState): Map<string, number> {
	const counts = new Map<string, number>();
	for (const e of state.entries)
		if (isInFlight(e) && !e.endedOnSocket && e.serverId)
			counts.set(e.serverId, (counts.get(e.serverId) ?? 0) + 1);
	return counts;
}

/** Counts by status, for a tab title (`[3/8 · 42%]`) or a grid's header. */
export interface QueueSummary {
	total: number;
	waiting: number;
	paused: number;
	/** Released or running. */
	inFlight: number;
	done: number;
	failed: number;
}

/** Counts of all items, or of one batch or grid (`groupId`). */
export function summarizeQueue(state: QueueState, { groupId }: { groupId?: string } = {}): QueueSummary {
	const out: QueueSummary = { total: 0, waiting: 0, paused: 0, inFlight: 0, done: 0, failed: 0 };
	for (const e of state.entries) {
		if (groupId !== undefined && e.group?.id !== groupId) continue;
		out.total++;
		if (isInFlight(e)) out.inFlight++;
		else out[e.status as 'waiting' | 'paused' | 'done' | 'failed']++;
	}
	return out;
}

/** The item was sent to `serverId` as `promptId` (recorded before the POST, so a reload knows to look for it). */
export function markReleased(
	state: QueueState,
	{ id, serverId, promptId, now }: { id: string; serverId: string; promptId: string; now: number }
): QueueState {
	return patch(state, id, (e) =>
		e.status === 'waiting' ? { ...e, status: 'released', serverId, promptId, releasedAt: now } : e
	);
}

export function markRunning(state: QueueState, { id }: { id: string }): QueueState {
	return patch(state, id, (e) => (e.status === 'released' ? { ...e, status: 'running' } : e));
}

/**
 * The socket showed every node of an item finish: its slot is free, but a server that dies before it confirms the end
 * may have lost its files with it (the tracker settles that), and then the item comes back (`returnToQueue`).
 */
export function markEndedOnSocket(state: QueueState, { id }: { id: string }): QueueState {
	const entry = state.entries.find((e) => e.id === id);
	if (!entry || !isInFlight(entry) || entry.endedOnSocket) return state;
	return patch(state, id, (e) => ({ ...e, status: 'running', endedOnSocket: true }));
}

/** The item ended on its server. */
export function markFinished(
	state: QueueState,
	{ id, status, now, error }: { id: string; status: 'done' | 'failed'; now: number; error?: string }
): QueueState {
	const finished = ({ endedOnSocket: _confirmed, ...e }: QueueEntry): QueueEntry => ({
		...e,
		status,
		finishedAt: now
	});
	return patch(state, id, (e) => ({ ...finished(e), ...(error === undefined ? {} : { error }) }));
}

/**
 * An item in flight comes back (its server lost it, or never got it): it is pending again, first among its
 * priority (it was released before the others), and the release is kept in `attempts`.
 */
export function returnToQueue(state: QueueState, { id, reason }: { id: string; reason: string }): QueueState {
	const entry = state.entries.find((e) => e.id === id);
	if (!entry || !isInFlight(entry)) return state;
	const attempt: QueueAttempt = {
		serverId: entry.serverId ?? '',
		promptId: entry.promptId ?? '',
		releasedAt: entry.releasedAt ?? 0,
		reason
	};
	const back: QueueEntry = {
		...entry,
		status: state.paused ? 'paused' : 'waiting',
		attempts: [...entry.attempts, attempt]
	};
	delete back.serverId;
	delete back.promptId;
	delete back.releasedAt;
	delete back.endedOnSocket;
	const entries = state.entries.map((e) => (e.id === id ? back : e));
	const pending = insertByPriority(
		entries.filter((e) => e.id !== id && isPending(e)),
		back,
		'first'
	);
	return withPending({ ...state, entries }, pending);
}

function pendingOf(state: QueueState): QueueEntry[] {
	return state.entries.filter(isPending);
}

/** Puts `entry` first or last among the entries of its priority in a list sorted by priority, highest first. */
function insertByPriority(list: QueueEntry[], entry: QueueEntry, where: 'first' | 'last'): QueueEntry[] {
	let at = list.findIndex((e) =>
		where === 'first' ? e.priority <= entry.priority : e.priority < entry.priority
	);
	if (at < 0) at = list.length;
	return [...list.slice(0, at), entry, ...list.slice(at)];
}

/** Writes `pending` (the new release order) into the slots pending entries occupy in `state`. */
function withPending(state: QueueState, pending: QueueEntry[]): QueueState {
	const queue = [...pending];
	const entries = state.entries.map((e) => (isPending(e) ? queue.shift()! : e));
	return { ...state, entries };
}

function refusePending(state: QueueState, id: string): string | undefined {
	const entry = state.entries.find((e) => e.id === id);
	if (!entry) return `${id} is not in the queue.`;
	if (!isPending(entry))
		return `${entry.label ?? id} has ${entry.status === 'done' || entry.status === 'failed' ? 'finished' : 'been sent to a server'}: only waiting items can be moved.`;
	return undefined;
}

function setPendingStatus(state: QueueState, ids: string[], status: 'waiting' | 'paused'): QueueResult {
	const refused: string[] = [];
	let next = state;
	for (const id of ids) {
		const refusal = refusePending(next, id);
		if (refusal) refused.push(refusal);
		else next = patch(next, id, (e) => ({ ...e, status }));
	}
	return { state: next, refused };
}

function patch(state: QueueState, id: string, change: (e: QueueEntry) => QueueEntry): QueueState {
	return { ...state, entries: state.entries.map((e) => (e.id === id ? change(e) : e)) };
}
