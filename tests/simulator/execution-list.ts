// ComfyUI's ExecutionList (comfy_execution/graph.py): a topological sort that adds output nodes and their
// uncached ancestors, and picks the next ready node "UX-friendly" (output nodes first, then nodes that feed
// an output, then nodes two steps away), so the execution order matches the real server's.
import type { ApiPrompt } from './prompt-queue';

/** `is_link`: `[node_id: str, slot: number]`. */
export function isLink(value: unknown): value is [string, number] {
	return (
		Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
	);
}

export class ExecutionList {
	private readonly pending = new Map<string, true>();
	private readonly blockCount = new Map<string, number>();
	private readonly blocking = new Map<string, Map<string, true>>();

	constructor(
		private readonly prompt: ApiPrompt,
		private readonly isCached: (nodeId: string) => boolean,
		private readonly isOutput: (nodeId: string) => boolean
	) {}

	addNode(nodeId: string): void {
		const stack = [nodeId];
		const links: Array<[string, string]> = [];
		while (stack.length > 0) {
			const id = stack.pop() as string;
			if (this.pending.has(id)) continue;
			this.pending.set(id, true);
			this.blockCount.set(id, 0);
			this.blocking.set(id, new Map());
			for (const value of Object.values(this.prompt[id]?.inputs ?? {})) {
				if (!isLink(value)) continue;
				const from = value[0];
				if (!this.isCached(from)) stack.push(from);
				links.push([from, id]);
			}
		}
		for (const [from, to] of links) this.addStrongLink(from, to);
	}

	private addStrongLink(from: string, to: string): void {
		if (this.isCached(from)) return;
		this.addNode(from);
		const blocked = this.blocking.get(from);
		if (blocked && !blocked.has(to)) {
			blocked.set(to, true);
			this.blockCount.set(to, (this.blockCount.get(to) ?? 0) + 1);
		}
	}

	isEmpty(): boolean {
		return this.pending.size === 0;
	}

	/** The next node to run, or null for a dependency cycle. */
	stage(): string | null {
		const available = [...this.pending.keys()].filter((id) => (this.blockCount.get(id) ?? 0) === 0);
		if (available.length === 0) return null;
		for (const id of available) if (this.isOutput(id)) return id;
		for (const id of available) {
			for (const blocked of this.blocking.get(id)?.keys() ?? []) if (this.isOutput(blocked)) return id;
		}
		for (const id of available) {
			for (const blocked of this.blocking.get(id)?.keys() ?? []) {
				for (const next of this.blocking.get(blocked)?.keys() ?? []) if (this.isOutput(next)) return id;
			}
		}
		return available[0] ?? null;
	}

	/** A pending node of a cycle, to blame in the error. */
	cycleNode(): string | null {
		return this.pending.keys().next().value ?? null;
	}

	complete(nodeId: string): void {
		this.pending.delete(nodeId);
		for (const to of this.blocking.get(nodeId)?.keys() ?? []) {
			this.blockCount.set(to, (this.blockCount.get(to) ?? 1) - 1);
		}
		this.blocking.delete(nodeId);
	}
}
