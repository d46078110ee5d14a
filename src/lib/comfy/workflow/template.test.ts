import { describe, expect, it } from 'vitest';
import type { ParameterDef } from './parameter-def';
import { createTemplate, templateIdFor, zTemplate } from './template';
import { zApiWorkflow } from './types';

const api = zApiWorkflow.parse({ '3': { class_type: 'KSampler', inputs: { steps: 20 } } });
const steps: ParameterDef = {
	id: 'steps',
	label: 'Steps',
	kind: 'INT',
	group: 'Sampling',
	targets: [{ nodeId: '3', input: 'steps' }],
	default: 20,
	required: true,
	hidden: false
};

describe('templates', () => {
	it('get a readable id unique among the others', () => {
		expect(templateIdFor({ name: 'SDXL Portrait (v2)!' })).toBe('sdxl-portrait-v2');
		expect(templateIdFor({ name: 'SDXL Portrait', existingIds: ['sdxl-portrait', 'sdxl-portrait-2'] })).toBe(
			'sdxl-portrait-3'
		);
		expect(templateIdFor({ name: '🙂' })).toBe('param');
	});

	it('are created valid and survive a JSON round trip (what IndexedDB and links store)', () => {
		const t = createTemplate({ name: '  My flow ', api, parameters: [steps], now: 5 });
		expect(t).toMatchObject({ version: 1, id: 'my-flow', name: 'My flow', createdAt: 5, updatedAt: 5 });
		expect(zTemplate.parse(JSON.parse(JSON.stringify(t)))).toEqual(t);
	});

	it('refuse duplicate parameter ids and targets outside the workflow', () => {
		const t = createTemplate({ name: 'x', api, parameters: [steps], now: 1 });
		const dup = zTemplate.safeParse({ ...t, parameters: [steps, steps] });
		expect(dup.success).toBe(false);
		expect(dup.error?.issues[0]?.message).toBe('Two parameters share the id "steps".');
		const far = zTemplate.safeParse({
			...t,
			parameters: [{ ...steps, targets: [{ nodeId: '9', input: 'steps' }] }]
		});
		expect(far.error?.issues[0]?.path).toEqual(['parameters', 0, 'targets', 0, 'nodeId']);
	});

	it('refuse ids that do not fit in a URL', () => {
		const t = createTemplate({ name: 'x', api, parameters: [], now: 1 });
		expect(zTemplate.safeParse({ ...t, id: 'a b' }).success).toBe(false);
		expect(zTemplate.safeParse({ ...t, parameters: [{ ...steps, id: 'Steps?' }] }).success).toBe(false);
	});
});
