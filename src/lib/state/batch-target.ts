import type { ServerTarget } from '$lib/comfy/batch';

/** A server as the batch builder's "Run on" field sees it. */
export interface TargetServer {
	id: string;
	name: string;
	status: 'checking' | 'online' | 'offline';
	/** Why it cannot be reached, in plain language (the connection check's words). */
	message?: string;
	/** Prompts running or waiting on it, when known. */
	queueLength?: number;
}

/** The value of the "Run on" field for any free server (a server's value is its id). */
export const ANY_SERVER = 'any';

/** The field's value → the dispatcher's target. */
export function targetOf(value: string): ServerTarget {
	return value === ANY_SERVER ? { kind: 'any' } : { kind: 'server', serverId: value };
}

/**
 * Among servers known to be online, the one with the shortest queue (an unknown length counts as longest; on a
 * tie, the first listed). Undefined when none is online.
 */
export function pickFreeServer<S extends TargetServer>(servers: readonly S[]): S | undefined {
	let best: S | undefined;
	for (const s of servers) {
		if (s.status !== 'online') continue;
		if (!best || (s.queueLength ?? Infinity) < (best.queueLength ?? Infinity)) best = s;
	}
	return best;
}

/**
 * What the builder says under "Run on" before anything is queued: '' when the choice can run now, else why not
 * and what to do. A server still being checked is not reported (the check says soon enough).
 * @param options.waits runs wait in the browser queue until a server is back (else they need one now).
 */
export function targetNote({
	value,
	servers,
	waits = false
}: {
	value: string;
	servers: readonly TargetServer[];
	waits?: boolean;
}): string {
	if (servers.length === 0) return 'Add a ComfyUI server in Settings to queue runs.';
	if (value === ANY_SERVER) {
		if (servers.every((s) => s.status === 'offline'))
			return waits
				? 'No server can be reached now: the runs wait in this browser until one is back.'
				: 'No server can be reached now. Check that ComfyUI is running, or add a server in Settings.';
		return '';
	}
	const server = servers.find((s) => s.id === value);
	if (!server) return 'That server is no longer in Settings. Pick another one.';
	if (server.status !== 'offline') return '';
	const others = servers.some((s) => s.id !== value && s.status !== 'offline');
	return [
		waits
			? `${server.name} cannot be reached now: the runs wait in this browser until it is back.`
			: `${server.name} cannot be reached now, so runs cannot go to it.`,
		server.message,
		others ? 'Pick another server or "Any free server".' : 'Start it, or check its address in Settings.'
	]
		.filter(Boolean)
		.join(' ');
}
