// ComfyUI's signature-keyed output cache, as the simulator's executor keeps it between prompts: a node's key is its
// class, its IS_CHANGED answer, its literal inputs and the keys of the nodes it links to, so an unchanged node (and
// everything upstream of it) is answered from the cache.
import { createHash } from 'node:crypto';
import { isLink } from './execution-list';
import type { NodeDef, ObjectInfo } from './object-info';
import { nodeImpl } from './nodes/registry';
import type { ApiPrompt } from './prompt-queue';
import { pyDumps } from './py-format';
import type { FileStore } from './file-store';

/** What a node made the last time it ran: its outputs for the nodes downstream, and what the UI was sent. */
export interface CacheEntry {
	outputs: unknown[];
	ui: { meta: Record<string, unknown>; output: Record<string, unknown[]> } | null;
}

/** A node class's hidden inputs (`PROMPT`, `EXTRA_PNGINFO`, `UNIQUE_ID` …) by input name. */
export function hiddenInputs(def: NodeDef | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, spec] of Object.entries(def?.input.hidden ?? {})) {
		const type = Array.isArray(spec) ? spec[0] : spec;
		if (typeof type === 'string') out[name] = type;
	}
	return out;
}

/**
 * Per-node cache keys: class, IS_CHANGED, inputs and the keys of linked ancestors. A node whose IS_CHANGED answers
 * NaN (or that sits in a cycle) gets a key of its own that never matches (`neverCached`).
 */
export function cacheKeys(options: {
	prompt: ApiPrompt;
	info: ObjectInfo;
	files: FileStore;
	neverCached: () => string;
}): Map<string, string> {
	const { prompt, info, files, neverCached } = options;
	const keys = new Map<string, string>();
	const visiting = new Set<string>();
	const keyOf = (id: string): string => {
		const known = keys.get(id);
		if (known !== undefined) return known;
		const node = prompt[id];
		if (!node || visiting.has(id)) return neverCached();
		visiting.add(id);
		const impl = nodeImpl(node.class_type);
		const literal: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(node.inputs)) if (!isLink(value)) literal[name] = value;
		const changed = impl?.isChanged?.(literal, { files }) ?? false;
		let key: string;
		if (typeof changed === 'number' && Number.isNaN(changed)) key = neverCached();
		else {
			const parts: unknown[] = [node.class_type, changed];
			const hidden = Object.values(hiddenInputs(info[node.class_type]));
			if (impl?.notIdempotent || hidden.includes('UNIQUE_ID')) parts.push(id);
			for (const name of Object.keys(node.inputs).sort()) {
				const value = node.inputs[name];
				parts.push(isLink(value) ? [name, 'ANCESTOR', keyOf(value[0]), value[1]] : [name, value]);
			}
			key = createHash('sha1').update(pyDumps(parts)).digest('hex');
		}
		visiting.delete(id);
		keys.set(id, key);
		return key;
	};
	for (const id of Object.keys(prompt)) keyOf(id);
	return keys;
}
