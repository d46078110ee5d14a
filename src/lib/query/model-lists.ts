// The core's guards, not zod: these are checked when the landing route puts stored answers in the query cache.
import * as z from '$lib/comfy/guard';
import type { ComfyApi } from '$lib/comfy';
import { errorMessage } from '$lib/util/error-message';
import { serverKeys } from './keys';

/** A model folder and its files as the server lists them, or why its files could not be read. */
export const zFolderView = z.looseObject({
	folder: z.string(),
	files: z.array(z.string()),
	error: z.optional(z.string())
});
export type FolderView = z.infer<typeof zFolderView>;

/** Every model folder of a server and its embeddings (the Models view, the dispatcher's capabilities). */
export const zModelLists = z.looseObject({ folders: z.array(zFolderView), embeddings: z.array(z.string()) });
export type ModelLists = z.infer<typeof zModelLists>;

/** Folders that hold no model files (custom node code, configs): listed last. */
const NOT_MODELS = new Set(['custom_nodes', 'configs']);

export type ModelApi = Pick<ComfyApi, 'getModelFolders' | 'getModels' | 'getEmbeddings'>;

/** How long a server's model lists count as fresh (files are added by hand, rarely). */
export const MODELS_STALE_MS = 60_000;

/** Reads every folder (in parallel) and the embeddings: model folders first, each sorted by name. */
export async function readModelLists(api: ModelApi, signal?: AbortSignal): Promise<ModelLists> {
	const [names, embeddings] = await Promise.all([
		api.getModelFolders({ signal }),
		api.getEmbeddings({ signal }).catch(() => [] as string[])
	]);
	const folders = await Promise.all(
		names.map(async (folder): Promise<FolderView> => {
			try {
				const files = await api.getModels({ folder, signal });
				return { folder, files: [...files].sort((a, b) => a.localeCompare(b)) };
			} catch (error) {
				return { folder, files: [], error: errorMessage(error) };
			}
		})
	);
	return {
		folders: [
			...folders.filter((f) => !NOT_MODELS.has(f.folder)),
			...folders.filter((f) => NOT_MODELS.has(f.folder))
		],
		embeddings: [...embeddings].sort((a, b) => a.localeCompare(b))
	};
}

/** A server's model lists in the query cache: shared, read again when older than a minute. */
export function modelsQuery(o: { serverId: string; api: ModelApi }) {
	return {
		queryKey: serverKeys.models(o.serverId),
		queryFn: ({ signal }: { signal: AbortSignal }) => readModelLists(o.api, signal),
		staleTime: MODELS_STALE_MS
	};
}
