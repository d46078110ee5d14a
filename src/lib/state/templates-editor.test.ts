import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zTemplate, type Template } from '$lib/comfy/workflow';
import { realObjectInfo } from '$lib/comfy/workflow/testing/fixtures';
import { TemplateEditorState } from './templates-editor.svelte';

const starter = (id: string): Template =>
	zTemplate.parse(
		JSON.parse(
			readFileSync(fileURLToPath(new URL(`../../../static/templates/${id}.json`, import.meta.url)), 'utf8')
		)
	);

const ids = (editor: TemplateEditorState) => editor.draft.parameters.map((p) => p.id);

describe('TemplateEditorState', () => {
	it('changes only the draft until reset, and knows when it differs from the saved version', () => {
		const base = starter('demo-solid-color');
		const editor = new TemplateEditorState({ template: base });
		expect(editor.dirty).toBe(false);

		editor.update({ id: 'width', changes: { label: 'Image width', hidden: true } });
		editor.setDefault({ id: 'height', value: 256 });
		expect(editor.dirty).toBe(true);
		expect(editor.draft.parameters[0]).toMatchObject({ label: 'Image width', hidden: true });
		expect(editor.base.parameters[0]?.label).toBe('Width');
		expect(editor.snapshot().parameters[1]?.default).toBe(256);

		editor.reset();
		expect(editor.dirty).toBe(false);
		expect(editor.draft.parameters[1]?.default).toBe(512);
	});

	it('moves a field one place and ignores a move past either end', () => {
		const editor = new TemplateEditorState({ template: starter('demo-solid-color') });
		editor.move({ id: 'height', by: -1 });
		expect(ids(editor)).toEqual(['height', 'width', 'batch', 'color']);
		editor.move({ id: 'height', by: -1 });
		editor.move({ id: 'color', by: 1 });
		expect(ids(editor)).toEqual(['height', 'width', 'batch', 'color']);
	});

	it('clears a bound that is emptied or not a number', () => {
		const editor = new TemplateEditorState({ template: starter('demo-solid-color') });
		editor.setBound({ id: 'width', which: 'max', value: 1024 });
		expect(editor.draft.parameters[0]?.max).toBe(1024);
		editor.setBound({ id: 'width', which: 'max', value: Number.NaN });
		expect(editor.draft.parameters[0]?.max).toBeUndefined();
		editor.setBound({ id: 'width', which: 'min', value: undefined });
		expect(editor.draft.parameters[0]?.min).toBeUndefined();
	});

	it('offers a removed field’s input again, and unbinds all but a field’s last input', () => {
		const editor = new TemplateEditorState({ template: starter('demo-solid-color') });
		editor.setObjectInfo(realObjectInfo());
		expect(editor.candidates.some((c) => c.targets[0]?.input === 'height')).toBe(false);

		editor.remove('height');
		const height = editor.candidates.find((c) => c.targets[0]?.input === 'height');
		expect(height).toBeDefined();
		expect(editor.bindable('width').map((c) => c.id)).toContain(height?.id);

		editor.bind({ id: 'width', candidateId: height?.id ?? '' });
		expect(editor.draft.parameters[0]?.targets).toEqual([
			{ nodeId: '1', input: 'width' },
			{ nodeId: '1', input: 'height' }
		]);
		expect(editor.candidates.some((c) => c.targets[0]?.input === 'height')).toBe(false);

		editor.unbind({ id: 'width', index: 0 });
		editor.unbind({ id: 'width', index: 0 });
		expect(editor.draft.parameters[0]?.targets).toEqual([{ nodeId: '1', input: 'height' }]);
	});

	it('names a target by its node, and says when the node is gone', () => {
		const editor = new TemplateEditorState({ template: starter('demo-solid-color') });
		expect(editor.describeTarget({ nodeId: '1', input: 'width' })).toBe(
			'width of node #1, "deck: Canvas" (EmptyImage)'
		);
		expect(editor.describeTarget({ nodeId: '9', input: 'seed' })).toBe('seed of node #9');
	});
});
