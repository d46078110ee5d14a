import { QueryClient } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import { openDeckDb } from '$lib/storage/db';
import { listVersions } from '$lib/storage/templates';
import { filterFolders, ModelsState } from './models.svelte';

const template = {
	version: 1 as const,
	id: 'portrait',
	name: 'Portrait',
	api: { '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } } },
	parameters: [
		{
			id: 'checkpoint',
			label: 'Checkpoint',
			kind: 'COMBO' as const,
			group: 'Model',
			targets: [{ nodeId: '4', input: 'ckpt_name' }],
			default: 'a.safetensors',
			required: true,
			hidden: false
		}
	],
	createdAt: 1,
	updatedAt: 1
};

const api = {
	getModelFolders: vi.fn(async () => ['checkpoints', 'custom_nodes', 'loras', 'broken']),
	getModels: vi.fn(async ({ folder }: { folder: string }) => {
		if (folder === 'broken') throw new Error('The server answered 500.');
		return folder === 'checkpoints' ? ['b.safetensors', 'a.safetensors'] : [];
	}),
	getEmbeddings: vi.fn(async () => ['easynegative'])
};

describe('ModelsState', () => {
	it('lists folders (model folders first, errors per folder), shows template use and sets a model as a new version', async () => {
		const name = `deck-models-${Math.random().toString(36).slice(2)}`;
		const db = await openDeckDb({ name });
		await db.put('templates', template);
		const models = new ModelsState({ db: Promise.resolve(db) });
		const queryClient = new QueryClient();
		await models.load({ serverId: 's1', api, queryClient });
		await models.loadTemplates();
		// A second visit shows the cached lists without asking the server again.
		await models.load({ serverId: 's1', api, queryClient });
		expect(api.getModelFolders).toHaveBeenCalledTimes(1);

		expect(models.folders.map((f) => f.folder)).toEqual(['checkpoints', 'loras', 'broken', 'custom_nodes']);
		expect(models.folders[0]?.files).toEqual(['a.safetensors', 'b.safetensors']);
		expect(models.folders.find((f) => f.folder === 'broken')?.error).toBe('The server answered 500.');
		expect(models.embeddings).toEqual(['easynegative']);
		expect(
			models.usedBy({ folder: 'checkpoints', file: 'a.safetensors' }).map((s) => s.templateName)
		).toEqual(['Portrait']);

		const [slot] = models.slotsFor({ folder: 'checkpoints', files: ['a.safetensors', 'b.safetensors'] });
		expect(slot?.label).toBe('Checkpoint');
		await models.useInTemplate({ slot: slot!, file: 'b.safetensors' });
		expect(models.notice).toEqual({ ok: true, text: '“Portrait” now uses b.safetensors for Checkpoint.' });
		expect(models.usedBy({ folder: 'checkpoints', file: 'b.safetensors' })).toHaveLength(1);
		expect(models.usedBy({ folder: 'checkpoints', file: 'a.safetensors' })).toHaveLength(0);
		const [latest] = await listVersions(db, 'portrait');
		expect(latest?.note).toMatch(/Model set from Models/);
		expect(latest?.template.parameters[0]?.default).toBe('b.safetensors');
		db.close();
		indexedDB.deleteDatabase(name);
	});
});

describe('filterFolders', () => {
	const folders = [
		{ folder: 'checkpoints', files: ['sd_xl_base.safetensors', 'v1-5.safetensors'] },
		{ folder: 'loras', files: ['pixel-art-xl.safetensors'] },
		{ folder: 'gligen', files: [] }
	];

	it('searches file names in any case and matches whole folders by name', () => {
		expect(filterFolders(folders, { query: 'XL', showEmpty: false })).toEqual([
			{ folder: 'checkpoints', files: ['sd_xl_base.safetensors'] },
			{ folder: 'loras', files: ['pixel-art-xl.safetensors'] }
		]);
		expect(filterFolders(folders, { query: 'lora', showEmpty: false })).toEqual([folders[1]]);
	});

	it('hides empty folders unless asked', () => {
		expect(filterFolders(folders, { query: '', showEmpty: false })).toHaveLength(2);
		expect(filterFolders(folders, { query: '', showEmpty: true })).toHaveLength(3);
	});
});
