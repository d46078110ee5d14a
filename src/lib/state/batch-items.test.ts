import { describe, expect, it } from 'vitest';
import { expandBatch } from '$lib/comfy/batch';
import { PARAMETERS } from '$lib/comfy/batch/testing/parameters';
import type { Template } from '$lib/comfy/workflow';
import { batchItemsOf } from './batch-items';

const template: Template = {
	version: 1,
	id: 'sd15',
	name: 'SD 1.5',
	api: {
		'3': {
			class_type: 'KSampler',
			inputs: { seed: 5, steps: 20, cfg: 7, sampler: 'euler', width: 512, hires: false }
		},
		'6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat' } }
	},
	ui: { nodes: [], links: [] },
	parameters: PARAMETERS,
	createdAt: 0,
	updatedAt: 0
};

function expansion() {
	const e = expandBatch({
		parameters: PARAMETERS,
		values: { seed: 100 },
		count: 2,
		seedMode: 'increment',
		axes: { x: { kind: 'choices', parameterId: 'sampler', choices: ['euler', 'dpmpp_2m'] } }
	});
	if (!e.ok) throw new Error('the plan should expand');
	return e;
}

describe('batchItemsOf', () => {
	it('makes one prompt per item with its values written in, labelled, in one group, in expansion order', async () => {
		let n = 0;
		const made = await batchItemsOf({
			template,
			expansion: expansion(),
			target: { kind: 'any' },
			groupId: 'g1',
			userInitials: 'AB',
			newId: () => `id-${n++}`
		});
		if (!made.ok) throw new Error(made.message);
		expect(made.items.map((i) => [i.id, i.label, i.group.key])).toEqual([
			['id-0', 'Seed 100 · Sampler euler', 'z0-y0-x0-r0-n0'],
			['id-1', 'Seed 101 · Sampler euler', 'z0-y0-x0-r0-n1'],
			['id-2', 'Seed 100 · Sampler dpmpp_2m', 'z0-y0-x1-r0-n0'],
			['id-3', 'Seed 101 · Sampler dpmpp_2m', 'z0-y0-x1-r0-n1']
		]);
		const last = made.items[3]!;
		expect(last.workflow['3']?.inputs).toMatchObject({ seed: 101, sampler: 'dpmpp_2m', cfg: 7 });
		// The template's own workflow is left as it was.
		expect(template.api['3']?.inputs.sampler).toBe('euler');
		expect(last.target).toEqual({ kind: 'any' });
		expect(last.app).toMatchObject({
			templateId: 'sd15',
			templateName: 'SD 1.5',
			label: 'Seed 101 · Sampler dpmpp_2m',
			groupId: 'g1',
			groupKey: 'z0-y0-x1-r0-n1',
			userInitials: 'AB',
			randomized: false
		});
		expect(last.app.parameters).toMatchObject({ seed: 101, sampler: 'dpmpp_2m' });
		expect(last.extraData).toEqual({ extra_pnginfo: { workflow: template.ui } });
		// Different prompts, different cache keys.
		expect(new Set(made.items.map((i) => i.app.promptHash)).size).toBe(4);
	});

	it('queues nothing when the template cannot take a value, and says which item and why', async () => {
		const broken: Template = { ...template, api: { '6': template.api['6']! } };
		const made = await batchItemsOf({
			template: broken,
			expansion: expansion(),
			target: { kind: 'any' },
			groupId: 'g1'
		});
		expect(made.ok).toBe(false);
		expect(!made.ok && made.message).toMatch(/^Seed 100 · Sampler euler: /);
	});
});
