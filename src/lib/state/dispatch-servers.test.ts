import { QueryClient } from '@tanstack/svelte-query';
import { describe, expect, it, vi } from 'vitest';
import { chooseServer, requirementsOf } from '$lib/comfy/batch';
import { objectInfoWith, TXT2IMG } from '$lib/comfy/batch/testing/servers';
import { realObjectInfo } from '$lib/comfy/workflow/testing/fixtures';
import { serverKeys } from '$lib/query/keys';
import type { ModelLists } from '$lib/query/model-lists';
import type { ServerView } from './app.svelte';
import { createAppDispatchServers } from './dispatch-servers';

type App = Parameters<typeof createAppDispatchServers>[0]['app'];

const servers: ServerView[] = [
	{ id: 'studio', name: 'Studio box', baseUrl: 'http://studio/', order: 0, createdAt: 0 },
	{ id: 'attic', name: 'Attic', baseUrl: 'http://attic/', order: 1, createdAt: 0 }
];

/** The app as the dispatcher's servers read it: two online servers whose answers are in the query cache. */
function fakeApp(queryClient: QueryClient, readModels: (serverId: string) => ModelLists) {
	const app = {
		queryClient,
		servers,
		serverData: { hydrate: async () => {} },
		connections: { get: () => ({ status: 'online' }) },
		jobs: { loadedClientFor: () => undefined },
		serverHealth: () => ({ socket: 'open', queueLength: 0 }),
		apiFor: (server: Pick<ServerView, 'id'>) => ({
			getModelFolders: async () => readModels(server.id).folders.map((f) => f.folder),
			getModels: async ({ folder }: { folder: string }) =>
				readModels(server.id).folders.find((f) => f.folder === folder)?.files ?? [],
			getEmbeddings: async () => []
		})
	};
	return app as unknown as App;
}

const lists = (loras: string[]): ModelLists => ({
	folders: [
		{ folder: 'checkpoints', files: ['sd_xl_base_1.0.safetensors'] },
		{ folder: 'loras', files: loras },
		{ folder: 'vae', files: ['vae-ft-mse-840000-ema-pruned.safetensors'] }
	],
	embeddings: []
});

describe('createAppDispatchServers', () => {
	it("checks a workflow's models against each server's model lists, reading the lists it lacks", async () => {
		const queryClient = new QueryClient();
		// Both servers' object_info (read earlier) still lists the LoRA; the studio's files say it is gone.
		const info = objectInfoWith({
			checkpoints: ['sd_xl_base_1.0.safetensors'],
			loras: ['add_detail.safetensors'],
			vae: ['vae-ft-mse-840000-ema-pruned.safetensors']
		});
		for (const s of servers) queryClient.setQueryData(serverKeys.objectInfo(s.id), info);
		queryClient.setQueryData(serverKeys.models('studio'), lists([]));
		const read = vi.fn((serverId: string) => lists(serverId === 'attic' ? ['add_detail.safetensors'] : []));
		const onChange = vi.fn();
		const sources = createAppDispatchServers({ app: fakeApp(queryClient, read), onChange });
		const needs = requirementsOf({ api: TXT2IMG, objectInfo: realObjectInfo() });
		const choose = () =>
			chooseServer({
				needs,
				target: { kind: 'any' },
				servers: sources.servers().map((s) => ({ id: s.id, name: s.name, ...s.snapshot() })),
				inFlight: new Map(),
				maxInFlight: 2,
				queueThreshold: 8
			});

		// The attic's lists are not read yet: its object_info stands for it meanwhile.
		expect(choose()).toEqual({ ok: true, serverId: 'attic' });
		await vi.waitFor(() => expect(onChange).toHaveBeenCalled());
		expect(read).toHaveBeenCalledWith('attic');
		expect(queryClient.getQueryData(serverKeys.models('attic'))).toEqual(lists(['add_detail.safetensors']));

		// Once the attic's files say the LoRA is gone too, no server can run it, and the item says why.
		queryClient.setQueryData(serverKeys.models('attic'), lists([]));
		const choice = choose();
		expect(choice.ok).toBe(false);
		expect(choice.ok === false && choice.unrunnable).toBe(true);
		expect(choice.ok === false && choice.refusals.map((r) => r.message)).toEqual([
			'Studio box does not have the LoRA add_detail.safetensors.',
			'Attic does not have the LoRA add_detail.safetensors.'
		]);
	});
});
