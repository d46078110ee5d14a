/**
 * Which waiting items could go out now, and where: the release order of the browser queue against the room each
 * server has (at most N in flight per server). The dispatcher walks the same order lazily.
 */
import { DEFAULT_MAX_IN_FLIGHT, inFlightByServer, type QueueEntry, type QueueState } from './queue';

/** A waiting item and the servers that have room for it now. */
export interface ReleaseCandidate {
	entry: QueueEntry;
	freeServers: string[];
}

/**
 * Waiting items in release order with the servers (of `serverIds`, in that order) that have fewer than
 * `maxInFlight` items in flight and are allowed by the item's target. Items no server has room for are left out.
 */
export function releaseCandidates({
	state,
	serverIds,
	maxInFlight = DEFAULT_MAX_IN_FLIGHT
}: {
	state: QueueState;
	serverIds: string[];
	maxInFlight?: number;
}): ReleaseCandidate[] {
	const counts = inFlightByServer(state);
	const free = serverIds.filter((id) => (counts.get(id) ?? 0) < maxInFlight);
	if (free.length === 0) return [];
	const out: ReleaseCandidate[] = [];
	for (const entry of state.entries) {
		if (entry.status !== 'waiting') continue;
		const target = entry.target;
		const servers = target.kind === 'any' ? free : free.filter((id) => id === target.serverId);
		if (servers.length > 0) out.push({ entry, freeServers: servers });
	}
	return out;
}

/** The next item to release, if any server has room for one (see `releaseCandidates`). */
export function nextToRelease(options: {
	state: QueueState;
	serverIds: string[];
	maxInFlight?: number;
}): ReleaseCandidate | undefined {
	return releaseCandidates(options)[0];
}
