import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createTemplate, type Template } from '$lib/comfy/workflow/template';
import { createLogger } from '$lib/comfy/logger';
import { openDeckDb } from '$lib/storage/db';
import type { AppState } from './app.svelte';
import { TemplatesState } from './templates.svelte';

function sample(name: string, width = 64): Template {
	return createTemplate({
		name,
		api: {
			'1': { class_type: 'EmptyImage', inputs: { width, height: 64, batch_size: 1, color: 0 } },
			'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } }
		},
		parameters: [],
		now: 1
	});
}

// No server is set up: what the class does with its own storage must not need one.
const app = {
	servers: [],
	connections: { get: () => ({ status: 'offline' }) },
	logger: createLogger({ capacity: 10 })
} as unknown as AppState;

async function loaded(): Promise<TemplatesState> {
	const templates = new TemplatesState({ app, db: openDeckDb({ name: `templates-state-${Math.random()}` }) });
	await templates.load();
	return templates;
}

describe('TemplatesState', () => {
	it('lists what it saves, versions each save, and restores an older version as the newest', async () => {
		const templates = await loaded();
		expect(templates.loaded).toBe(true);
		expect(templates.templates).toEqual([]);

		const first = await templates.save({ template: sample('Portrait'), note: 'Imported' });
		await templates.save({ template: { ...first, name: 'Portrait, wider' }, note: 'Edited' });
		expect(templates.templates.map((t) => t.name)).toEqual(['Portrait, wider']);
		expect((await templates.versions(first.id)).map((v) => [v.version, v.note])).toEqual([
			[2, 'Edited'],
			[1, 'Imported']
		]);

		const restored = await templates.restore({ templateId: first.id, version: 1 });
		expect(restored?.name).toBe('Portrait');
		expect(templates.templates.map((t) => t.name)).toEqual(['Portrait']);
		expect((await templates.versions(first.id))[0]?.version).toBe(3);

		await templates.remove(first.id);
		expect(templates.templates).toEqual([]);
		expect(await templates.get(first.id)).toBeUndefined();
	});

	it('gives an imported workflow a new id when one with its name is already kept', async () => {
		const templates = await loaded();
		const kept = await templates.confirmImport(sample('Flow'));
		const again = await templates.confirmImport(sample('Flow'));
		expect(again.id).not.toBe(kept.id);
		expect(templates.templates).toHaveLength(2);
	});

	it('reads its own export file back: new ones added, changed ones versioned, identical ones left alone', async () => {
		const source = await loaded();
		const same = await source.save({ template: sample('Same'), note: 'Imported' });
		const changed = await source.save({ template: sample('Changed'), note: 'Imported' });
		const fresh = await source.save({ template: sample('Fresh'), note: 'Imported' });
		const file = source.exportFile();
		expect(file.fileName).toMatch(/\.json$/);

		const target = await loaded();
		await target.save({ template: same, note: 'Imported' });
		await target.save({ template: { ...changed, api: sample('Changed', 512).api }, note: 'Imported' });
		const review = await target.readImport({ name: file.fileName, text: file.text });
		if (review.kind !== 'templates') throw new Error(`read as ${review.kind}`);
		expect(review.templates.map((t) => t.id).sort()).toEqual([changed.id, fresh.id, same.id].sort());

		const summary = await target.importTemplates(review.templates);
		expect(summary).toEqual({ added: ['Fresh'], updated: ['Changed'], unchanged: ['Same'] });
		expect((await target.get(changed.id))?.api).toEqual(changed.api);
		expect((await target.versions(changed.id)).map((v) => v.note)).toEqual([
			'Replaced from a file',
			'Imported'
		]);
	});

	it('exports only the templates it is given', async () => {
		const templates = await loaded();
		const one = await templates.save({ template: sample('One'), note: 'Imported' });
		await templates.save({ template: sample('Two'), note: 'Imported' });
		const { text } = templates.exportFile({ templates: [one] });
		expect(text).toContain('"One"');
		expect(text).not.toContain('"Two"');
	});

	it('keeps presets per template, with at most one default', async () => {
		const templates = await loaded();
		const t = await templates.save({ template: sample('Flow'), note: 'Imported' });
		const a = await templates.savePreset({ templateId: t.id, name: 'Small', values: { width: 64 } });
		const b = await templates.savePreset({ templateId: t.id, name: 'Big', values: { width: 1024 } });
		await templates.setDefaultPreset({ templateId: t.id, presetId: b?.id ?? null });
		const defaults = (await templates.presets(t.id)).filter((p) => p.isDefault).map((p) => p.name);
		expect(defaults).toEqual(['Big']);

		await templates.deletePreset(a?.id ?? '');
		expect((await templates.presets(t.id)).map((p) => p.name)).toEqual(['Big']);
	});

	it('says to add a server when node definitions are asked for and none is set up', async () => {
		const templates = await loaded();
		const answer = await templates.objectInfo();
		expect(answer).toEqual({ ok: false, message: expect.stringContaining('Add one in Settings') });
	});

	it('says why templates cannot be saved when IndexedDB does not open, and still finishes loading', async () => {
		const templates = new TemplatesState({ app, db: Promise.reject(new Error('blocked')) });
		await templates.load();
		expect(templates.loaded).toBe(true);
		expect(templates.storageError).toMatch(/cannot be saved in this browser.*blocked/);
		await expect(templates.save({ template: sample('Flow'), note: 'Imported' })).rejects.toThrow(
			/cannot be saved/
		);
	});
});
