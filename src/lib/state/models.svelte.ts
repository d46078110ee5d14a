import type { QueryClient } from '@tanstack/svelte-query';
import { modelsQuery, type FolderView, type ModelApi, type ModelLists } from '$lib/query/model-lists';
import { cachedThenFresh } from '$lib/query/server-queries';
import { errorMessage } from '$lib/util/error-message';
import type { Template } from '$lib/comfy/workflow';
import type { DeckDb } from '$lib/storage/db';
import { getTemplate, listTemplates, saveTemplate } from '$lib/storage/templates';
import {
	modelKey,
	modelSlots,
	modelUsage,
	withModel,
	type FolderFiles,
	type ModelSlot
} from './models-usage';

export type { FolderView } from '$lib/query/model-lists';

/** Human names for ComfyUI's folder ids; others are shown as the server names them. */
export const FOLDER_NAMES: Record<string, string> = {
	checkpoints: 'Checkpoints',
	loras: 'LoRAs',
	vae: 'VAE',
	text_encoders: 'Text encoders',
	diffusion_models: 'Diffusion models',
	clip_vision: 'CLIP vision',
	style_models: 'Style models',
	embeddings: 'Embeddings',
	controlnet: 'ControlNet',
	upscale_models: 'Upscale models',
	latent_upscale_models: 'Latent upscale models',
	hypernetworks: 'Hypernetworks',
	vae_approx: 'VAE approx (previews)'
};

/** Filters folders by a search over file and folder names (any case); folders without a match drop out. */
export function filterFolders(folders: FolderView[], o: { query: string; showEmpty: boolean }): FolderView[] {
	const q = o.query.trim().toLowerCase();
	return folders
		.map((f) => {
			if (!q) return f;
			const folderMatches =
				f.folder.toLowerCase().includes(q) || folderName(f.folder).toLowerCase().includes(q);
			return folderMatches ? f : { ...f, files: f.files.filter((file) => file.toLowerCase().includes(q)) };
		})
		.filter((f) => (q ? f.files.length > 0 : o.showEmpty || f.files.length > 0 || f.error));
}

/** A folder's display name. */
export function folderName(folder: string): string {
	return FOLDER_NAMES[folder] ?? folder.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/**
 * The Models view: one server's model folders and files, its embeddings, which stored templates use each
 * file, and setting a template's model input from here.
 */
export class ModelsState {
	#folders = $state.raw<FolderView[]>([]);
	#embeddings = $state.raw<string[]>([]);
	#templates = $state.raw<Template[]>([]);
	#loading = $state(false);
	#loaded = $state(false);
	#error = $state<string | null>(null);
	#notice = $state<{ ok: boolean; text: string } | null>(null);
	/** The search box (bound by the view). */
	query = $state('');
	/** Whether folders without files are listed (bound by the view). */
	showEmpty = $state(false);

	/** The server's model folders and their files (model folders first; a folder that failed says why). */
	get folders(): FolderView[] {
		return this.#folders;
	}

	/** The server's embeddings. */
	get embeddings(): string[] {
		return this.#embeddings;
	}

	/** Stored templates that read as valid, by name. */
	get templates(): Template[] {
		return this.#templates;
	}

	/** A load is under way. */
	get loading(): boolean {
		return this.#loading;
	}

	/** Lists were shown at least once (from the cache or the server). */
	get loaded(): boolean {
		return this.#loaded;
	}

	/** Why the lists could not be read, or are the last ones known. */
	get error(): string | null {
		return this.#error;
	}

	/** The outcome of the last "use in template", for a status line. */
	get notice(): { ok: boolean; text: string } | null {
		return this.#notice;
	}

	readonly shown: FolderView[] = $derived(
		filterFolders(this.#folders, { query: this.query, showEmpty: this.showEmpty })
	);
	readonly usage: Map<string, ModelSlot[]> = $derived(
		modelUsage({ templates: this.#templates, folders: this.#folders })
	);
	readonly fileCount: number = $derived(this.#folders.reduce((n, f) => n + f.files.length, 0));

	#db: Promise<DeckDb | null>;
	#load: AbortController | undefined;

	constructor(o: { db: Promise<DeckDb | null> }) {
		this.#db = o.db;
	}

	/**
	 * Shows a server's model lists from the app's query cache (which `hydrate` fills from IndexedDB, so the last
	 * lists show at once, offline too), read again in the background when older than a minute; and the templates.
	 */
	async load(o: {
		serverId: string;
		api: ModelApi;
		queryClient: QueryClient;
		/** Puts the lists stored in IndexedDB into the query cache (`ServerDataCache.hydrate`). */
		hydrate?: () => Promise<void>;
		fresh?: boolean;
	}): Promise<void> {
		this.#load?.abort();
		const controller = new AbortController();
		this.#load = controller;
		const signal = controller.signal;
		this.#loading = true;
		this.#error = null;
		void this.loadTemplates();
		try {
			await o.hydrate?.();
			const query = modelsQuery({ serverId: o.serverId, api: o.api });
			const answer = await cachedThenFresh(o.queryClient, o.fresh ? { ...query, staleTime: 0 } : query);
			if (signal.aborted) return;
			this.#show(answer.data);
			const fresh = await answer.fresh;
			if (signal.aborted || !fresh) return;
			if (fresh.ok) this.#show(fresh.data);
			else this.#error = `${errorMessage(fresh.error)} The lists shown are the last ones it gave.`;
		} catch (error) {
			if (signal.aborted) return;
			this.#error = errorMessage(error);
		} finally {
			if (this.#load === controller) this.#loading = false;
		}
	}

	#show(lists: ModelLists): void {
		this.#folders = lists.folders;
		this.#embeddings = lists.embeddings;
		this.#loaded = true;
	}

	async loadTemplates(): Promise<void> {
		const db = await this.#db;
		if (!db) return;
		try {
			// Only templates that read as valid: an unreadable one is reported on the Templates view.
			const { templates } = await listTemplates(db);
			this.#templates = templates.sort((a, b) => a.name.localeCompare(b.name));
		} catch {
			// Another tab is upgrading the database: the list stays as it was.
		}
	}

	/** The model inputs of every template that take a file of `folder`. */
	slotsFor(folder: FolderFiles): ModelSlot[] {
		return this.#templates.flatMap((template) => modelSlots({ template, folder }));
	}

	/** The templates using a file. */
	usedBy({ folder, file }: { folder: string; file: string }): ModelSlot[] {
		return this.usage.get(modelKey(folder, file)) ?? [];
	}

	/**
	 * Makes a template's model input (and the form parameter writing it) name `file`, and saves it as a new
	 * version of the template (so the change can be undone from its history).
	 */
	async useInTemplate({ slot, file }: { slot: ModelSlot; file: string }): Promise<void> {
		const db = await this.#db;
		if (!db) {
			this.#notice = {
				ok: false,
				text: 'Templates cannot be saved in this browser (storage is unavailable).'
			};
			return;
		}
		try {
			const stored = await getTemplate(db, slot.templateId);
			if (!stored) throw new Error(`Template "${slot.templateName}" was deleted or cannot be read.`);
			const now = Date.now();
			const changed = withModel({ template: stored, nodeId: slot.nodeId, input: slot.input, file, now });
			const { template: next } = await saveTemplate(db, {
				template: changed as Template,
				note: `Model set from Models: ${slot.label} → ${file}`,
				now
			});
			this.#templates = this.#templates.map((t) => (t.id === next.id ? next : t));
			this.#notice = { ok: true, text: `“${slot.templateName}” now uses ${file} for ${slot.label}.` };
		} catch (error) {
			this.#notice = { ok: false, text: errorMessage(error) };
		}
	}

	stop(): void {
		this.#load?.abort();
	}
}
