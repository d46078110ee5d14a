/**
 * The queue as stored (IndexedDB) and read back after a reload or a browser restart. Reading checks every field:
 * a record written by an older or broken build is reported, never trusted.
 */
import * as z from 'zod/mini';
import { safeParse } from '../parse';
import type { QueueState } from './queue';

export const QUEUE_SNAPSHOT_VERSION = 1;

const zApiNode = z.looseObject({
	class_type: z.string().check(z.minLength(1)),
	inputs: z.record(z.string(), z.unknown())
});

const zTarget = z.union([
	z.object({ kind: z.literal('any') }),
	z.object({ kind: z.literal('server'), serverId: z.string().check(z.minLength(1)) })
]);

const zAttempt = z.object({
	serverId: z.string(),
	promptId: z.string(),
	releasedAt: z.number(),
	reason: z.string()
});

// Every field QueueJobApp has: a field left out here is dropped when the queue is read back, so an item released
// after a reload would land in History without it (a batch's label and group, a style).
const zJobApp = z.object({
	templateId: z.optional(z.string()),
	templateName: z.optional(z.string()),
	presetId: z.optional(z.string()),
	parameters: z.optional(z.record(z.string(), z.unknown())),
	promptHash: z.optional(z.string()),
	randomized: z.optional(z.boolean()),
	tags: z.optional(z.array(z.string())),
	note: z.optional(z.string()),
	userInitials: z.optional(z.string()),
	style: z.optional(z.string()),
	label: z.optional(z.string()),
	groupId: z.optional(z.string()),
	groupKey: z.optional(z.string())
});

export const zQueueEntry = z.object({
	id: z.string().check(z.minLength(1)),
	status: z.enum(['waiting', 'paused', 'released', 'running', 'done', 'failed']),
	priority: z.number().check(z.refine(Number.isFinite)),
	target: zTarget,
	workflow: z.record(z.string(), zApiNode),
	group: z.optional(z.object({ id: z.string(), key: z.string() })),
	label: z.optional(z.string()),
	app: z.optional(zJobApp),
	extraData: z.optional(z.record(z.string(), z.unknown())),
	createdAt: z.number(),
	serverId: z.optional(z.string()),
	promptId: z.optional(z.string()),
	releasedAt: z.optional(z.number()),
	finishedAt: z.optional(z.number()),
	endedOnSocket: z.optional(z.boolean()),
	error: z.optional(z.string()),
	attempts: z.array(zAttempt)
});

export const zQueueSnapshot = z.object({
	version: z.literal(QUEUE_SNAPSHOT_VERSION),
	savedAt: z.number(),
	paused: z.boolean(),
	entries: z.array(zQueueEntry)
});
export type QueueSnapshot = z.infer<typeof zQueueSnapshot>;

/** The state as a plain record to store (a copy: later changes to the state do not reach it). */
export function toSnapshot(state: QueueState, { now }: { now: number }): QueueSnapshot {
	return structuredClone({
		version: QUEUE_SNAPSHOT_VERSION,
		savedAt: now,
		paused: state.paused,
		entries: state.entries
	});
}

export type ReadSnapshotResult =
	{ ok: true; state: QueueState; savedAt: number } | { ok: false; message: string };

/**
 * A stored snapshot back as a queue. Items in flight keep their server and prompt id: the dispatcher asks those
 * servers what became of them before anything is sent again.
 */
export function readQueueSnapshot(json: unknown): ReadSnapshotResult {
	const parsed = safeParse(zQueueSnapshot, json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
		return {
			ok: false,
			message: `The saved queue could not be read${where}: ${issue?.message ?? 'unknown format'}. It was left as it is; nothing was queued from it.`
		};
	}
	const ids = new Set<string>();
	for (const e of parsed.data.entries) {
		if (ids.has(e.id)) return { ok: false, message: `The saved queue holds item ${e.id} twice.` };
		ids.add(e.id);
		if ((e.status === 'released' || e.status === 'running') && (!e.serverId || !e.promptId)) {
			return {
				ok: false,
				message: `The saved queue says item ${e.id} is on a server but not which one.`
			};
		}
	}
	const { paused, entries } = parsed.data;
	return { ok: true, state: { paused, entries }, savedAt: parsed.data.savedAt };
}
