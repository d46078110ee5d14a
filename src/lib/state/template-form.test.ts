import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zTemplate, type Template } from '$lib/comfy/workflow';
import { realObjectInfo } from '$lib/comfy/workflow/testing/fixtures';
import { TemplateFormState } from './template-form.svelte';
import { diffTemplates } from './templates-diff';
import { TemplateEditorState } from './templates-editor.svelte';

const starter = (id: string): Template =>
	zTemplate.parse(
		JSON.parse(
			readFileSync(fileURLToPath(new URL(`../../../static/templates/${id}.json`, import.meta.url)), 'utf8')
		)
	);

describe('TemplateFormState', () => {
	it('reproduces itself from its own URL, "&", "%" and "#" in a prompt included', () => {
		const form = new TemplateFormState({ template: starter('sd15-txt2img') });
		form.setValue({ id: 'prompt', value: 'cats & dogs, 100% #fun\nsecond line' });
		form.setValue({ id: 'steps', value: 33 });
		form.setSeedMode({ id: 'seed', mode: 'increment' });
		const again = new TemplateFormState({ template: starter('sd15-txt2img') });
		again.loadHash({ hash: form.hash });
		expect(again.values).toEqual(form.values);
		expect(again.seedModeOf(again.parameters.find((p) => p.id === 'seed')!)).toBe('increment');
		expect(again.issues).toEqual([]);
	});

	it('reports unknown and unreadable values and keeps an out-of-range one with its field error', () => {
		const form = new TemplateFormState({ template: starter('sd15-txt2img') });
		form.loadHash({ hash: '#/generate/sd15-txt2img?stepz=5&cfg=abc&steps=99999' });
		expect(form.issues).toEqual([
			expect.stringContaining('no field "stepz"'),
			expect.stringMatching(/^CFG: "abc" is not a number/)
		]);
		expect(form.values.steps).toBe(99999);
		expect(form.errorFor('steps')).toBe('Must be at most 10000.');
		expect(form.valid).toBe(false);
	});

	it('starts from a preset when the URL names no values, and says which preset values it dropped', () => {
		const form = new TemplateFormState({ template: starter('demo-solid-color') });
		form.loadHash({ hash: '#/generate/demo-solid-color', fallback: { width: 128, gone: 1 } });
		expect(form.values.width).toBe(128);
		expect(form.issues[0]).toMatch(/"gone"/);
	});

	it('puts the server’s node_errors on the field that wrote the input, and clears it when edited', () => {
		const form = new TemplateFormState({ template: starter('sd15-txt2img') });
		form.applyNodeErrors({
			'3': {
				class_type: 'KSampler',
				errors: [
					{
						type: 'value_bigger_than_max',
						message: 'Value bigger than max',
						details: 'steps, 20000 > 10000',
						extra_info: { input_name: 'steps' }
					}
				]
			},
			'8': {
				class_type: 'VAEDecode',
				errors: [{ type: 'x', message: 'Broken', extra_info: { input_name: 'vae' } }]
			}
		});
		expect(form.errorFor('steps')).toBe('Value bigger than max: steps, 20000 > 10000');
		expect(form.otherServerErrors).toEqual([expect.stringContaining('Node 8 (VAEDecode)')]);
		form.setValue({ id: 'steps', value: 30 });
		expect(form.errorFor('steps')).toBeUndefined();
	});

	it('moves seeds after a run as their (form-chosen) mode says', () => {
		const form = new TemplateFormState({ template: starter('demo-solid-color') });
		const t = starter('sd15-txt2img');
		const seeded = new TemplateFormState({ template: t });
		seeded.setValue({ id: 'seed', value: 41 });
		seeded.setSeedMode({ id: 'seed', mode: 'increment' });
		seeded.advanceSeeds();
		expect(seeded.values.seed).toBe(42);
		seeded.setSeedMode({ id: 'seed', mode: 'fixed' });
		seeded.advanceSeeds();
		expect(seeded.values.seed).toBe(42);
		expect(form.template.parameters.some((p) => p.seedMode)).toBe(false);
	});

	it('refreshes model lists from the server before claiming a model is missing', () => {
		const form = new TemplateFormState({ template: starter('sd15-txt2img') });
		expect(form.errorFor('checkpoint')).toBeUndefined();
		form.refresh(realObjectInfo());
		expect(form.errorFor('checkpoint')).toMatch(/not on this server/);
	});

	it('lets the user dismiss what an opened URL held that could not be used', () => {
		const form = new TemplateFormState({ template: starter('sd15-txt2img') });
		form.loadHash({ hash: '#/generate/sd15-txt2img?stepz=5' });
		expect(form.issues).not.toEqual([]);
		form.dismissIssues();
		expect(form.issues).toEqual([]);
	});

	it('puts a saved mask into its field with a note under it, and says to add a server before an upload', async () => {
		const form = new TemplateFormState({ template: starter('sd15-img2img') });
		form.useImage({ id: 'image', value: 'clipspace/mask-1.png [input]', note: 'Mask saved.' });
		expect(form.values.image).toBe('clipspace/mask-1.png [input]');
		expect(form.parameters.find((p) => p.id === 'image')?.options?.[0]).toBe('clipspace/mask-1.png [input]');
		expect(form.uploads.image).toEqual({ busy: false, message: 'Mask saved.' });

		await form.uploadFile({ id: 'image', file: new File(['x'], 'x.png'), api: undefined });
		expect(form.uploads.image).toEqual({
			busy: false,
			error: true,
			message: 'Add a ComfyUI server in Settings to upload files.'
		});
		expect(form.values.image).toBe('clipspace/mask-1.png [input]');
	});
});

describe('template editor and version diff', () => {
	it('binds one seed to a second sampler, exposes an input, and the diff says so', () => {
		const base = starter('sd15-hires-fix');
		const editor = new TemplateEditorState({ template: base });
		editor.setObjectInfo(realObjectInfo());
		editor.remove('hires_seed');
		const candidate = editor.bindable('seed').find((c) => c.targets[0]?.nodeId === '16');
		expect(candidate).toBeDefined();
		editor.bind({ id: 'seed', candidateId: candidate!.id });
		editor.update({ id: 'steps', changes: { label: 'Sampling steps', group: 'Basics' } });
		editor.setBound({ id: 'steps', which: 'max', value: 50 });
		editor.move({ id: 'steps', by: -1 });
		const upscale = editor.candidates.find(
			(c) => c.targets[0]?.nodeId === '14' && c.targets[0].input === 'upscale_method'
		);
		editor.expose(upscale!.id);
		expect(editor.problems).toEqual([]);
		const saved = editor.snapshot();
		expect(saved.parameters.find((p) => p.id === 'seed')?.targets).toEqual([
			{ nodeId: '3', input: 'seed' },
			{ nodeId: '16', input: 'seed' }
		]);

		const diff = diffTemplates({ from: base, to: saved });
		expect(diff.parameters).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^Removed "Hires seed"/),
				'"Seed" now writes node 3 seed, node 16 seed (was node 3 seed).',
				'"Sampling steps": label "Steps" → "Sampling steps".',
				'"Sampling steps": maximum 10000 → 50.',
				'The order of the fields changed.'
			])
		);
		expect(diff.workflow).toEqual([]);
	});

	it('refuses to save a minimum above the maximum', () => {
		const editor = new TemplateEditorState({ template: starter('demo-solid-color') });
		editor.setBound({ id: 'width', which: 'min', value: 900 });
		editor.setBound({ id: 'width', which: 'max', value: 100 });
		expect(editor.problems).toEqual(['Width: the minimum is larger than the maximum.']);
	});

	it('lists workflow changes between versions', () => {
		const a = starter('demo-solid-color');
		const b = structuredClone(a);
		b.api['1']!.inputs.color = 255;
		delete b.api['2'];
		expect(diffTemplates({ from: a, to: b }).workflow).toEqual([
			'Removed node 2 (ImageInvert).',
			'Node 1 (EmptyImage) color: 3368652 → 255.'
		]);
	});
});
