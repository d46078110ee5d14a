import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWorkflow, zTemplate, type Template } from '$lib/comfy/workflow';
import { realObjectInfo } from '$lib/comfy/workflow/testing/fixtures';
import { openDeckDb } from './db';
import { deletePreset, listPresets, savePreset, setDefaultPreset } from './presets';
import { template } from './testing/backup-fixtures';
import { putRawRecord } from './testing/records';
import {
	deleteTemplate,
	exportTemplatesFile,
	getTemplate,
	listTemplates,
	listVersions,
	parseTemplatesFile,
	restoreVersion,
	saveTemplate
} from './templates';

let n = 0;
const uniqueName = () => `deck-templates-test-${n++}-${Math.random().toString(36).slice(2)}`;

/** A one-field template (Width over EmptyImage → SaveImage), as the backup tests build it. */
const sample = (name = 'Flow'): Template => template(name, 64);

describe('template storage', () => {
	it('keeps every save as a version and never overwrites the original import', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const t = sample();
		await saveTemplate(db, { template: t, note: 'Imported', now: 10 });
		const edited = { ...t, name: 'Renamed', parameters: [{ ...t.parameters[0]!, label: 'Breite' }] };
		const second = await saveTemplate(db, { template: edited, note: 'Edited parameters', now: 20 });
		expect(second.version).toBe(2);
		expect((await getTemplate(db, t.id))?.name).toBe('Renamed');

		const versions = await listVersions(db, t.id);
		expect(versions.map((v) => [v.version, v.note, v.template.name])).toEqual([
			[2, 'Edited parameters', 'Renamed'],
			[1, 'Imported', 'Flow']
		]);

		const restored = await restoreVersion(db, { templateId: t.id, version: 1, now: 30 });
		expect(restored?.version).toBe(3);
		expect((await getTemplate(db, t.id))?.parameters[0]?.label).toBe('Width');
		expect((await listVersions(db, t.id)).map((v) => v.note)).toEqual([
			'Restored version 1',
			'Edited parameters',
			'Imported'
		]);
		db.close();
	});

	it('lists templates newest first and skips records that are not valid templates', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		await saveTemplate(db, { template: sample('Old'), note: 'Imported', now: 5 });
		await saveTemplate(db, { template: { ...sample('New'), id: 'new' }, note: 'Imported', now: 9 });
		await putRawRecord(db, 'templates', { id: 'broken', name: 'x', updatedAt: 7, api: 'not a workflow' });
		const { templates, unreadable } = await listTemplates(db);
		expect(templates.map((t) => t.name)).toEqual(['New', 'Old']);
		expect(unreadable).toEqual(['broken']);
		db.close();
	});

	it('deletes a template with its versions and presets', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const t = sample();
		await saveTemplate(db, { template: t, note: 'Imported' });
		await savePreset(db, { templateId: t.id, name: 'Big', values: { width: 1024 } });
		await deleteTemplate(db, t.id);
		expect(await getTemplate(db, t.id)).toBeUndefined();
		expect(await listVersions(db, t.id)).toEqual([]);
		expect(await listPresets(db, t.id)).toEqual([]);
		db.close();
	});
});

describe('presets', () => {
	it('replaces a preset of the same name and keeps one default per template', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		const a = await savePreset(db, {
			templateId: 't',
			name: 'Small',
			values: { width: 64 },
			isDefault: true
		});
		const b = await savePreset(db, { templateId: 't', name: 'Big', values: { width: 1024 } });
		await savePreset(db, { templateId: 'other', name: 'Other', values: {}, isDefault: true });
		await savePreset(db, { templateId: 't', name: 'Big', values: { width: 2048 }, isDefault: true });
		let list = await listPresets(db, 't');
		expect(list.map((p) => [p.name, p.values.width, p.isDefault])).toEqual([
			['Big', 2048, true],
			['Small', 64, false]
		]);
		expect(list.find((p) => p.name === 'Big')?.id).toBe(b.id);

		await setDefaultPreset(db, { templateId: 't', presetId: a.id });
		list = await listPresets(db, 't');
		expect(list.filter((p) => p.isDefault).map((p) => p.name)).toEqual(['Small']);
		expect((await listPresets(db, 'other'))[0]?.isDefault).toBe(true);

		await deletePreset(db, a.id);
		expect((await listPresets(db, 't')).map((p) => p.name)).toEqual(['Big']);
		db.close();
	});

	it('refuses a preset without a name', async () => {
		const db = await openDeckDb({ name: uniqueName() });
		await expect(savePreset(db, { templateId: 't', name: '  ', values: {} })).rejects.toThrow(/name/);
		db.close();
	});
});

describe('template files', () => {
	it('round-trips an export of several templates', () => {
		const a = sample('A');
		const b = { ...sample('B'), id: 'b' };
		const parsed = parseTemplatesFile({ text: exportTemplatesFile({ templates: [a, b] }) });
		expect(parsed).toEqual({ kind: 'templates', templates: [a, b], problems: [] });
	});

	it('reads a single template and leaves workflows to the workflow importer', () => {
		const a = sample('A');
		expect(parseTemplatesFile({ text: JSON.stringify(a) })).toMatchObject({ kind: 'templates' });
		expect(parseTemplatesFile({ text: '{"1":{"class_type":"SaveImage","inputs":{}}}' })).toEqual({
			kind: 'not-ours'
		});
		expect(parseTemplatesFile({ text: 'not json' })).toEqual({ kind: 'not-ours' });
	});

	it('imports the valid templates of a file and names the broken ones', () => {
		const a = sample('A');
		const text = JSON.stringify({
			format: 'comfy-deck-templates',
			version: 1,
			templates: [a, { ...a, id: 'Bad Id!', name: 'Broken one' }]
		});
		const parsed = parseTemplatesFile({ text });
		expect(parsed.kind).toBe('templates');
		if (parsed.kind !== 'templates') return;
		expect(parsed.templates).toHaveLength(1);
		expect(parsed.problems[0]).toMatch(/"Broken one" was skipped: id/);
	});

	it('says so when a file is from a newer version or holds nothing usable', () => {
		expect(
			parseTemplatesFile({ text: '{"format":"comfy-deck-templates","version":2,"templates":[]}' })
		).toMatchObject({ kind: 'error', message: expect.stringMatching(/newer Comfy Deck/) });
		expect(
			parseTemplatesFile({ text: '{"format":"comfy-deck-templates","version":1,"templates":[]}' })
		).toMatchObject({ kind: 'error', message: 'This template file is empty.' });
	});
});

describe('starter templates in static/templates', () => {
	const dir = fileURLToPath(new URL('../../../static/templates/', import.meta.url));
	const index = JSON.parse(readFileSync(dir + 'index.json', 'utf8')) as {
		templates: { id: string; file: string }[];
	};

	it('lists the required starters', () => {
		expect(index.templates.map((t) => t.id)).toEqual(
			expect.arrayContaining([
				'demo-solid-color',
				'demo-color-scale',
				'sd15-txt2img',
				'sdxl-txt2img',
				'sd15-img2img',
				'sd15-hires-fix'
			])
		);
	});

	for (const entry of index.templates) {
		it(`${entry.file} is a valid template a real ComfyUI accepts (bar missing models)`, () => {
			const t = zTemplate.parse(JSON.parse(readFileSync(dir + entry.file, 'utf8')));
			expect(t.id).toBe(entry.id);
			const errors = checkWorkflow({ api: t.api, objectInfo: realObjectInfo() }).filter(
				(i) => i.severity === 'error' && i.code !== 'missing-model'
			);
			expect(errors).toEqual([]);
			expect(t.parameters.some((p) => !p.hidden)).toBe(true);
		});
	}
});
