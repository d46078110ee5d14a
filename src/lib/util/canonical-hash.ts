/**
 * JSON with object keys sorted at every depth, so two prompts that differ only in key order serialize alike.
 * Arrays keep their order (it is meaningful: a link is `[nodeId, slot]`). `undefined` members are dropped, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) => {
		if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
		const sorted: Record<string, unknown> = {};
		for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
		return sorted;
	});
}

/** SHA-256 of bytes or text, as lowercase hex (Web Crypto: browsers and Node alike). */
export async function sha256Hex(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
	const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The cache key of an API prompt: SHA-256 of its canonical JSON. Only the graph counts (`class_type` and
 * `inputs`); `_meta` titles do not change what ComfyUI computes, so they do not change the key.
 */
export async function promptHash(
	prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>
) {
	const graph: Record<string, unknown> = {};
	for (const [id, node] of Object.entries(prompt))
		graph[id] = { class_type: node.class_type, inputs: node.inputs };
	return sha256Hex(canonicalJson(graph));
}
