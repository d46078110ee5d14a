/**
 * The dispatcher's decisions as pure functions: which server an item goes to (healthy, has what it needs, room
 * for it, shortest queue), why none can take it now (in words for the Queue view), and what to do with an item
 * in flight once its server has answered about it.
 */
import type { JobChange, JobError, JobRecord, JobStatus, SocketState } from '../index';
import type { ServerTarget } from './queue';
import { describeModel, missingOn, type Requirements, type ServerCapabilities } from './requirements';
import { checkBackpressure } from './throttle';

/** What the app knows of a server's health now (from its socket and its status polling). */
export interface ServerHealth {
	socket: SocketState;
	latencyMs?: number;
	/** The server's own queue: running plus pending prompts of every client. */
	queueLength?: number;
	freeVramBytes?: number;
}

export interface ServerSnapshot {
	id: string;
	/** The name the user gave it, for messages. */
	name: string;
	/** Undefined until first checked. */
	health?: ServerHealth;
	/** Undefined until its `/object_info` was read. */
	capabilities?: ServerCapabilities;
}

export type RefusalCode =
	'gone' | 'offline' | 'unchecked' | 'missing-nodes' | 'missing-models' | 'full' | 'backpressure';

/** Why one server cannot take an item now. */
export interface ServerRefusal {
	serverId: string;
	code: RefusalCode;
	message: string;
}

export type ServerChoice =
	| { ok: true; serverId: string }
	| {
			ok: false;
			/** One line per server considered. */
			refusals: ServerRefusal[];
			/** One sentence for the item's row. */
			summary: string;
			/** True when every server lacks something the item needs: waiting alone will not help. */
			unrunnable: boolean;
	  };

const SOCKET_WORDS: Record<SocketState, string> = {
	idle: 'not connected yet',
	connecting: 'connecting',
	open: 'online',
	reconnecting: 'offline, reconnecting',
	offline: 'offline (this browser is offline)',
	closed: 'disconnected'
};

const CAPABILITY_CODES: ReadonlySet<RefusalCode> = new Set(['missing-nodes', 'missing-models']);

/** Why `server` cannot take the item, or undefined when it can. */
export function refusalOf({
	server,
	needs,
	inFlight,
	maxInFlight,
	queueThreshold
}: {
	server: ServerSnapshot;
	needs: Requirements;
	inFlight: number;
	maxInFlight: number;
	queueThreshold: number;
}): ServerRefusal | undefined {
	const refuse = (code: RefusalCode, message: string): ServerRefusal => ({
		serverId: server.id,
		code,
		message
	});
	const { name, health, capabilities } = server;
	if (!health) return refuse('unchecked', `${name} has not been checked yet.`);
	if (health.socket !== 'open') return refuse('offline', `${name} is ${SOCKET_WORDS[health.socket]}.`);
	if (!capabilities) return refuse('unchecked', `What ${name} has installed is not known yet.`);
	const missing = missingOn({ needs, capabilities });
	if (missing.nodeClasses.length > 0) {
		return refuse(
			'missing-nodes',
			`${name} lacks the node${missing.nodeClasses.length > 1 ? 's' : ''} ${list(missing.nodeClasses)}: install the custom nodes that provide ${missing.nodeClasses.length > 1 ? 'them' : 'it'} there.`
		);
	}
	if (missing.models.length > 0) {
		return refuse('missing-models', `${name} does not have ${list(missing.models.map(describeModel))}.`);
	}
	if (inFlight >= maxInFlight) {
		return refuse('full', `${name} already has ${inFlight} of ours in flight (limit ${maxInFlight}).`);
	}
	const pressure = checkBackpressure({
		serverName: name,
		queueLength: health.queueLength,
		threshold: queueThreshold
	});
	if (!pressure.ok) return refuse('backpressure', pressure.reason);
	return undefined;
}

/**
 * The server for an item: among those its target allows that are online, have its nodes and models, have room
 * and are under the queue threshold, the one with the shortest queue (counting our items in flight that its
 * status may not show yet); ties go to fewer of ours in flight, more free VRAM, lower latency, then list order.
 */
export function chooseServer({
	needs,
	target,
	servers,
	inFlight,
	maxInFlight,
	queueThreshold
}: {
	needs: Requirements;
	target: ServerTarget;
	servers: ServerSnapshot[];
	inFlight: ReadonlyMap<string, number>;
	maxInFlight: number;
	queueThreshold: number;
}): ServerChoice {
	const considered = target.kind === 'any' ? servers : servers.filter((s) => s.id === target.serverId);
	if (considered.length === 0) {
		const summary =
			target.kind === 'server'
				? `Its server (${target.serverId}) is not in Settings any more: choose another server for it.`
				: 'No server is set up: add one in Settings.';
		const serverId = target.kind === 'server' ? target.serverId : '';
		return { ok: false, refusals: [{ serverId, code: 'gone', message: summary }], summary, unrunnable: true };
	}
	const refusals: ServerRefusal[] = [];
	const able: { server: ServerSnapshot; index: number }[] = [];
	considered.forEach((server, index) => {
		const refusal = refusalOf({
			server,
			needs,
			inFlight: inFlight.get(server.id) ?? 0,
			maxInFlight,
			queueThreshold
		});
		if (refusal) refusals.push(refusal);
		else able.push({ server, index });
	});
	if (able.length > 0) {
		const ours = (s: ServerSnapshot) => inFlight.get(s.id) ?? 0;
		const load = (s: ServerSnapshot) => Math.max(s.health?.queueLength ?? 0, ours(s));
		able.sort(
			(a, b) =>
				load(a.server) - load(b.server) ||
				ours(a.server) - ours(b.server) ||
				(b.server.health?.freeVramBytes ?? 0) - (a.server.health?.freeVramBytes ?? 0) ||
				(a.server.health?.latencyMs ?? Infinity) - (b.server.health?.latencyMs ?? Infinity) ||
				a.index - b.index
		);
		return { ok: true, serverId: able[0]!.server.id };
	}
	const unrunnable = refusals.every((r) => CAPABILITY_CODES.has(r.code));
	const summary =
		refusals.length === 1
			? refusals[0]!.message
			: unrunnable
				? `No server has what this needs: ${refusals.map((r) => r.message).join(' ')}`
				: `No server can take it now: ${refusals.map((r) => r.message).join(' ')}`;
	return { ok: false, refusals, summary, unrunnable };
}

/** What the server (through the job tracker) says of a released item. `undefined`: it has not said yet. */
export interface InFlightAnswer {
	status: JobStatus;
	error?: Pick<JobError, 'kind' | 'message' | 'received'>;
	/** The socket saw every node of the prompt finish: its slot is free before REST confirms the end. */
	finishedOnSocket?: boolean;
}

export type InFlightDecision =
	| { action: 'wait'; reason: string }
	| { action: 'running' }
	/**
	 * Every node finished on the socket: its slot is free now, but it is followed until the server confirms the end
	 * (a server that dies first may have lost its files with it, and then the item comes back).
	 */
	| { action: 'ended-on-socket' }
	| { action: 'done' }
	| { action: 'failed'; error: string }
	/** Back to the browser queue, to go to any server again. */
	| { action: 'requeue'; reason: string };

/**
 * An item in flight after its server answered (or did not). It is sent again only when that cannot make it run
 * twice: the server proved it lost the prompt (`lost`: asked twice, it does not know it, and it did not run to the
 * end on the socket or its files are gone; the tracker settles that), the request never reached its queue (`connection` failures are CORS, the Origin check, auth), or the user removed the server.
 * A server that is just away keeps its items until it says what became of them.
 */
export function decideInFlight({
	serverName,
	serverRemoved = false,
	answer
}: {
	serverName: string;
	serverRemoved?: boolean;
	answer: InFlightAnswer | undefined;
}): InFlightDecision {
	if (answer?.status === 'succeeded') return { action: 'done' };
	// Nothing more will be heard from a removed server: the user wants the work done elsewhere.
	if (serverRemoved) return { action: 'requeue', reason: `${serverName} was removed from Settings.` };
	if (!answer) return { action: 'wait', reason: `Asking ${serverName} about it.` };
	switch (answer.status) {
		case 'running':
			// Every node finished: the slot is free now, not after the tracker's REST confirmation (~0.5 s later),
			// or a server would sit idle between just-in-time releases. Not done yet: a server killed before it
			// confirmed forgets the job, and the tracker settles it `lost` if its files went with it.
			return answer.finishedOnSocket ? { action: 'ended-on-socket' } : { action: 'running' };
		case 'pending':
			return { action: 'wait', reason: `Waiting for ${serverName} to say whether it got it.` };
		case 'queued':
			return { action: 'wait', reason: `In ${serverName}'s queue.` };
		case 'lost':
			return {
				action: 'requeue',
				reason:
					answer.error?.received === false
						? `${serverName} never received it; it goes out again.`
						: `${serverName} lost it (restarted?); it goes out again.`
			};
		case 'interrupted':
			return { action: 'failed', error: answer.error?.message ?? 'Interrupted.' };
		case 'failed':
			if (answer.error?.kind === 'connection') {
				return { action: 'requeue', reason: `${serverName} could not be reached: ${answer.error.message}` };
			}
			return { action: 'failed', error: answer.error?.message ?? `${serverName} could not run it.` };
	}
}

/** The socket saw every node of the job finish (its slot is free before REST confirms the end). */
export function finishedOnSocket(job: JobRecord): boolean {
	const progress = job.progress;
	return !!progress && progress.nodesTotal > 0 && progress.nodesDone >= progress.nodesTotal;
}

/**
 * Whether a job's change can move its item (what `decideInFlight` reads: its status, its error, its end seen on
 * the socket). A step's progress or a preview cannot: a pass for each of those (most of a job's messages) only
 * rebuilt every waiting item's reason to find nothing new.
 */
export function mayMoveItem({ kind, job, previous }: JobChange): boolean {
	if (kind !== 'updated' || !previous) return true;
	return (
		job.status !== previous.status ||
		job.error !== previous.error ||
		finishedOnSocket(job) !== finishedOnSocket(previous)
	);
}

function list(items: string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
