import { uuidv4 } from '$lib/comfy';
import { describeItem, type Expansion, type ServerTarget } from '$lib/comfy/batch';
import { applyParameters, type ApiWorkflow, type Template } from '$lib/comfy/workflow';
import { promptHash } from '$lib/util/canonical-hash';

/** What a batch item's job record keeps: like a Generate run's, with its label and place in the batch. */
export interface BatchItemApp {
	templateId: string;
	templateName: string;
	parameters: Record<string, unknown>;
	promptHash: string;
	randomized: boolean;
	userInitials?: string;
	/** The run list and History show it ("CFG 5.5 · Seed 101"). */
	label: string;
	/** The batch or grid it belongs to (`#/grids/<groupId>` for a grid) and its key there. */
	groupId: string;
	groupKey: string;
}

/** One run of a batch, ready for the browser queue. */
export interface BatchRunItem {
	id: string;
	workflow: ApiWorkflow;
	label: string;
	group: { id: string; key: string };
	target: ServerTarget;
	app: BatchItemApp;
	extraData?: Record<string, unknown>;
}

/**
 * The API prompts of an expansion: each item's values applied to the template, labelled by what it varies, in
 * the expansion's order, all in one group. Fails as a whole (nothing queued) when the template cannot take a value.
 */
export async function batchItemsOf({
	template,
	expansion,
	target,
	groupId,
	userInitials,
	newId = uuidv4
}: {
	template: Template;
	expansion: Expansion;
	target: ServerTarget;
	groupId: string;
	userInitials?: string;
	newId?: () => string;
}): Promise<{ ok: true; items: BatchRunItem[] } | { ok: false; message: string }> {
	const items: BatchRunItem[] = [];
	// As for a Generate run: every seed is written in the prompt, so only the template's own random mode counts.
	const randomized = template.parameters.some((p) => p.seedMode === 'random');
	for (const item of expansion.items) {
		const label = describeItem({ item, parameters: template.parameters }) || `Run ${item.index + 1}`;
		const applied = applyParameters({
			api: template.api,
			parameters: template.parameters,
			values: item.values
		});
		if (applied.issues.length) {
			return { ok: false, message: `${label}: ${applied.issues.map((i) => i.message).join(' ')}` };
		}
		items.push({
			id: newId(),
			workflow: applied.api,
			label,
			group: { id: groupId, key: item.key },
			target,
			app: {
				templateId: template.id,
				templateName: template.name,
				parameters: item.values,
				promptHash: await promptHash(applied.api),
				randomized,
				...(userInitials ? { userInitials } : {}),
				label,
				groupId,
				groupKey: item.key
			},
			...(template.ui ? { extraData: { extra_pnginfo: { workflow: template.ui } } } : {})
		});
	}
	return { ok: true, items };
}
