import { describe, expect, it } from 'vitest';
import { checkWorkflow, findCycle, typesCompatible } from './check-workflow';
import { fixtureJson, realObjectInfo } from './testing/fixtures';
import { zApiWorkflow, zUiWorkflow, type ApiWorkflow } from './types';
import { uiToApi } from './ui-to-api';

const objectInfo = realObjectInfo();

interface Exchange {
	kind: string;
	label?: string;
	request?: { body?: { json?: { prompt?: unknown } } };
	response?: { status: number };
}

/** The prompts the recorded server refused (or half-accepted), by label. */
function recordedPrompts(): Map<string, ApiWorkflow> {
	const transcript = fixtureJson('transcripts/f_validation_errors.json') as { timeline: Exchange[] };
	const out = new Map<string, ApiWorkflow>();
	for (const e of transcript.timeline) {
		const prompt = e.request?.body?.json?.prompt;
		const parsed = zApiWorkflow.safeParse(prompt);
		if (e.kind === 'http' && e.label && parsed.success) out.set(e.label, parsed.data);
	}
	return out;
}

const codes = (api: ApiWorkflow) => checkWorkflow({ api, objectInfo }).map((i) => i.code);

describe('checkWorkflow finds what the real server refused', () => {
	const prompts = recordedPrompts();
	it.each([
		['(ii) unknown class_type', 'unknown-class'],
		['(iii) missing required input (EmptyImage.width)', 'missing-input'],
		['(iv) value below min (width 0)', 'invalid-value'],
		['(iv-b) value above max (width 100000)', 'invalid-value'],
		['(iv-c) non-numeric value for INT', 'invalid-value'],
		['(v) link to a nonexistent node', 'link-missing-node'],
		['(v-b) link to a nonexistent output slot', 'link-bad-slot'],
		['(vi) no output node', 'no-output'],
		['(vii) combo value not in list', 'invalid-value'],
		['(viii) link type mismatch (IMAGE into INT)', 'link-type-mismatch'],
		['(ix) LoadImage with a missing file', 'missing-upload'],
		['(x) one good and one bad output: accepted with node_errors', 'link-missing-node']
	])('%s → %s', (label, code) => {
		const api = prompts.get(label);
		expect(api).toBeDefined();
		expect(codes(api!)).toEqual([code]);
	});

	it('words the problems so a user can act', () => {
		const unknown = checkWorkflow({ api: prompts.get('(ii) unknown class_type')!, objectInfo })[0]!;
		expect(unknown.message).toContain('"NoSuchNodeClass"');
		expect(unknown.message).toContain('Install the custom node pack');
		const low = checkWorkflow({ api: prompts.get('(iv) value below min (width 0)')!, objectInfo })[0]!;
		expect(low).toMatchObject({ nodeId: '1', inputName: 'width' });
		expect(low.message).toBe('node 1 (EmptyImage), input "width": "0" is below the minimum 1.');
		const combo = checkWorkflow({ api: prompts.get('(vii) combo value not in list')!, objectInfo })[0]!;
		expect(combo.message).toContain('"GIF" is not one of the choices ("JPEG", "PNG")');
	});
});

describe('checkWorkflow on real workflows', () => {
	it('passes the prompt a real server ran', () => {
		const expected = fixtureJson('images/invert-png.expected.json') as { prompt: unknown };
		expect(checkWorkflow({ api: zApiWorkflow.parse(expected.prompt), objectInfo })).toEqual([]);
	});

	it('lists the missing checkpoint of the default graph once, with its node', () => {
		const ui = zUiWorkflow.parse(fixtureJson('workflows/ui/txt2img-default.json'));
		const result = uiToApi({ ui, objectInfo });
		const issues = result.ok ? checkWorkflow({ api: result.api, objectInfo }) : [];
		expect(issues).toHaveLength(1);
		expect(issues[0]).toMatchObject({ code: 'missing-model', nodeId: '4', inputName: 'ckpt_name' });
		expect(issues[0]?.message).toContain('"v1-5-pruned-emaonly-fp16.safetensors"');
	});

	it('groups one missing model used twice', () => {
		const ui = zUiWorkflow.parse(fixtureJson('workflows/ui/lora-multiple.json'));
		const result = uiToApi({ ui, objectInfo });
		const issues = result.ok ? checkWorkflow({ api: result.api, objectInfo }) : [];
		expect(issues.map((i) => i.code)).toEqual(['missing-model', 'missing-model', 'missing-model']);
	});

	it('groups unknown classes with their nodes', () => {
		const api = zApiWorkflow.parse({
			'1': { class_type: 'Custom X', inputs: {} },
			'2': { class_type: 'Custom X', inputs: { a: ['1', 0] } },
			'3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } }
		});
		const issues = checkWorkflow({ api, objectInfo });
		expect(issues).toHaveLength(1);
		expect(issues[0]?.message).toContain('used by 2 nodes 1, 2');
	});
});

describe('structure', () => {
	it('finds a cycle and names it in data-flow order', () => {
		const api = zApiWorkflow.parse({
			'1': { class_type: 'ImageInvert', inputs: { image: ['3', 0] } },
			'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
			'3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
			'4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } }
		});
		expect(findCycle(api)).toEqual(['1', '2', '3', '1']);
		expect(codes(api)).toEqual(['cycle']);
	});

	it('a node linked to itself is a cycle', () => {
		const api = zApiWorkflow.parse({ '1': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } } });
		expect(findCycle(api)).toEqual(['1', '1']);
	});

	it('an empty workflow says so', () => {
		expect(codes({})).toEqual(['empty']);
	});

	it('a value where a link belongs', () => {
		const api = zApiWorkflow.parse({ '1': { class_type: 'PreviewImage', inputs: { images: 'cat.png' } } });
		expect(codes(api)).toEqual(['link-expected']);
	});

	it('types: equal, wildcard and unions', () => {
		expect(typesCompatible('IMAGE', 'IMAGE')).toBe(true);
		expect(typesCompatible('*', 'MODEL')).toBe(true);
		expect(typesCompatible('IMAGE', 'MASK,IMAGE')).toBe(true);
		expect(typesCompatible('IMAGE', 'INT')).toBe(false);
	});
});

describe('missing models', () => {
	it('one model used by two nodes is one issue naming both', () => {
		const api = zApiWorkflow.parse({
			'1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' } },
			'2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd15.safetensors' } },
			'3': { class_type: 'PreviewImage', inputs: { images: ['4', 0] } },
			'4': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } }
		});
		const issues = checkWorkflow({ api, objectInfo });
		expect(issues).toHaveLength(1);
		expect(issues[0]?.message).toBe(
			'The model "sd15.safetensors" is not on this server (needed by node 1 input "ckpt_name", node 2 input "ckpt_name"). Put it in the matching ComfyUI models folder, or pick another one.'
		);
	});
});
