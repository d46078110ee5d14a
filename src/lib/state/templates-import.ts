// Reading what the user imports as a Comfy Deck export file, before the importer tries it as a workflow.
import type { Template } from '$lib/comfy/workflow/template';
import { MAX_IMPORT_BYTES } from '$lib/comfy/workflow/limits';

/** Whether an imported template differs from the kept one only in its timestamps. */
export function sameContent({ kept, incoming }: { kept: Template; incoming: Template }): boolean {
	const strip = (t: Template) => JSON.stringify({ ...t, createdAt: 0, updatedAt: 0 });
	return strip(kept) === strip(incoming);
}

/** The text of a Comfy Deck export, if it may be one (decided on the first bytes, so big files stay cheap). */
export function maybeTemplatesFile({
	bytes,
	text
}: {
	bytes?: Uint8Array;
	text?: string;
}): string | undefined {
	const head =
		text !== undefined ? text.slice(0, 400) : bytes ? new TextDecoder().decode(bytes.subarray(0, 400)) : '';
	if (!/^\uFEFF?\s*\{/.test(head)) return undefined;
	const size = text !== undefined ? text.length : (bytes?.byteLength ?? 0);
	// Only a file that says it is a backup may be larger than a workflow; the rest meets the importer's limit.
	if (!head.includes('comfy-deck-templates') && size > MAX_IMPORT_BYTES) return undefined;
	if (text !== undefined) return text;
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
}
