// Files, not the workflow barrel: the barrel would put the importer (ExifReader, fflate) in the first load.
import type { ImportResult } from '$lib/comfy/workflow/import-file';
import type { ObjectInfo } from '$lib/comfy/workflow/object-info';
import { createTemplate, zTemplate, type Template } from '$lib/comfy/workflow/template';
import type { DeckDb } from '$lib/storage/db';
import { deletePreset, listPresets, savePreset, setDefaultPreset, type Preset } from '$lib/storage/presets';
import {
	deleteTemplate,
	exportFileName,
	exportTemplatesFile,
	getTemplate,
	listTemplates,
	listVersions,
	parseTemplatesFile,
	restoreVersion,
	saveTemplate,
	type TemplateVersion
} from '$lib/storage/templates';
import { cachedThenFresh, objectInfoQuery } from '$lib/query/server-queries';
import type { AppState, ServerView } from './app.svelte';
import { errorMessage } from '$lib/util/error-message';
import { safeParse } from '$lib/comfy/parse';
import { maybeTemplatesFile, sameContent } from './templates-import';

/** What reading a dropped, picked or pasted thing gave, before anything is saved. */
export type ImportReview =
	| {
			kind: 'workflow';
			fileName: string;
			result: Extract<ImportResult, { ok: true }>;
			/** The template that would be saved (its name is editable in the review). */
			template: Template;
			/** Set when the server's node definitions could not be read: nothing was checked. */
			unchecked?: string;
	  }
	| { kind: 'templates'; fileName: string; templates: Template[]; problems: string[] }
	| { kind: 'error'; fileName: string; message: string; details: string[] };

/**
 * A server's node definitions: the newest known (`savedAt`: when the server gave them), and, when those came stale
 * from the cache, `fresh`, resolving once the server answered or failed.
 */
export type ObjectInfoAnswer =
	| { ok: true; objectInfo: ObjectInfo; savedAt: number; fresh?: Promise<ObjectInfoAnswer> }
	| { ok: false; message: string };

/** What happened to each template of an imported file. */
export interface ImportedTemplatesSummary {
	added: string[];
	updated: string[];
	unchanged: string[];
}

const STARTERS_KEY = 'comfy-deck.starters-installed';

/** Templates (IndexedDB), their versions and presets, the starter set, and the import review flow. */
export class TemplatesState {
	#templates = $state.raw<Template[]>([]);
	#loaded = $state(false);
	#storageError = $state<string | null>(null);
	#unreadable = $state<string[]>([]);
	/** The server chosen for checking and running templates (null: the first online one); the Generate view sets it. */
	chosenServerId = $state<string | null>(null);

	#app: AppState;
	#db: Promise<DeckDb | null>;
	#fetch: typeof fetch;
	#markReady: () => void = () => {};
	/** Settled once the app knows its servers and the list is loaded (`load`). */
	#ready = new Promise<void>((resolve) => (this.#markReady = resolve));

	constructor({
		app,
		db,
		fetchImpl
	}: {
		app: AppState;
		db: Promise<DeckDb>;
		/** For the starter templates (static files next to the app). */
		fetchImpl?: typeof fetch;
	}) {
		this.#app = app;
		this.#fetch = fetchImpl ?? ((...args) => fetch(...args));
		this.#db = db.catch((error: unknown) => {
			this.#storageError = `Templates cannot be saved in this browser (${String(error)}).`;
			return null;
		});
	}

	/** Every stored template, as last read from IndexedDB. */
	get templates(): Template[] {
		return this.#templates;
	}

	/** True once `load` has read the list (or found there is no storage). */
	get loaded(): boolean {
		return this.#loaded;
	}

	/** Why templates cannot be saved in this browser, when IndexedDB did not open. */
	get storageError(): string | null {
		return this.#storageError;
	}

	/** A message about records that could not be read (kept in the database, not shown). */
	get unreadable(): string[] {
		return this.#unreadable;
	}

	/** The server templates are checked against and run on: the chosen one, else the first online, else the first. */
	get server(): ServerView | undefined {
		const servers = this.#app.servers;
		return (
			servers.find((s) => s.id === this.chosenServerId) ??
			servers.find((s) => this.#app.connections.get(s.id).status === 'online') ??
			servers[0]
		);
	}

	/** Reads the stored templates; on the very first start also installs the starter templates. */
	async load(): Promise<void> {
		const db = await this.#db;
		if (!db) {
			this.#loaded = true;
			this.#markReady();
			return;
		}
		await this.#installStarters(db);
		await this.#reload(db);
		this.#loaded = true;
		this.#markReady();
	}

	async #reload(db: DeckDb): Promise<void> {
		const { templates, unreadable } = await listTemplates(db);
		this.#templates = templates;
		this.#unreadable = unreadable;
	}

	async #installStarters(db: DeckDb): Promise<void> {
		if (typeof localStorage === 'undefined' || typeof document === 'undefined') return;
		if (localStorage.getItem(STARTERS_KEY)) return;
		try {
			const base = document.baseURI;
			const index = (await (await this.#fetch(new URL('templates/index.json', base))).json()) as {
				templates?: { id?: unknown; file?: unknown }[];
			};
			for (const entry of index.templates ?? []) {
				if (typeof entry.file !== 'string' || !/^[a-z0-9-]+\.json$/.test(entry.file)) continue;
				const response = await this.#fetch(new URL(`templates/${entry.file}`, base));
				const parsed = safeParse(zTemplate, await response.json());
				if (!parsed.success || (await getTemplate(db, parsed.data.id))) continue;
				await saveTemplate(db, { template: parsed.data, note: 'Starter template' });
			}
			localStorage.setItem(STARTERS_KEY, '1');
		} catch (error) {
			// Next start tries again; the app works without them.
			this.#app.logger.warn('http', `Starter templates could not be loaded: ${String(error)}`);
		}
	}

	/** A template by id (from the list, else from the database). */
	async get(id: string): Promise<Template | undefined> {
		const known = this.#templates.find((t) => t.id === id);
		if (known) return known;
		const db = await this.#db;
		return db ? getTemplate(db, id) : undefined;
	}

	/** Saves a template as its next version (`note` says why, in its version list) and refreshes the list. */
	async save({ template, note }: { template: Template; note: string }): Promise<Template> {
		const db = await this.#db;
		if (!db) throw new Error(this.#storageError ?? 'Storage is not available.');
		// Reviews and drafts live in $state: store plain data (IndexedDB cannot clone proxies).
		const saved = await saveTemplate(db, { template: $state.snapshot(template) as Template, note });
		await this.#reload(db);
		return saved.template;
	}

	async remove(id: string): Promise<void> {
		const db = await this.#db;
		if (db) await deleteTemplate(db, id);
		this.#templates = this.#templates.filter((t) => t.id !== id);
	}

	async versions(id: string): Promise<TemplateVersion[]> {
		const db = await this.#db;
		return db ? listVersions(db, id) : [];
	}

	/** Makes an older version the newest (saved as the next version) and refreshes the list. */
	async restore({
		templateId,
		version
	}: {
		templateId: string;
		version: number;
	}): Promise<Template | undefined> {
		const db = await this.#db;
		if (!db) return undefined;
		const restored = await restoreVersion(db, { templateId, version });
		await this.#reload(db);
		return restored?.template;
	}

	// -----------------------------------------------------------------------------------------------------------
	// Presets

	async presets(templateId: string): Promise<Preset[]> {
		const db = await this.#db;
		return db ? listPresets(db, templateId) : [];
	}

	async savePreset(input: {
		templateId: string;
		name: string;
		values: Preset['values'];
		isDefault?: boolean;
	}): Promise<Preset | undefined> {
		const db = await this.#db;
		return db ? savePreset(db, input) : undefined;
	}

	async deletePreset(id: string): Promise<void> {
		const db = await this.#db;
		if (db) await deletePreset(db, id);
	}

	/** Makes a preset the one a template's form opens with (null: none). */
	async setDefaultPreset({
		templateId,
		presetId
	}: {
		templateId: string;
		presetId: string | null;
	}): Promise<void> {
		const db = await this.#db;
		if (db) await setDefaultPreset(db, { templateId, presetId });
	}

	// -----------------------------------------------------------------------------------------------------------
	// Server node definitions

	/**
	 * `/object_info` of a server, from the app's query cache, which IndexedDB fills with the last answer: at once
	 * when one is known (offline too), with `fresh` bringing the server's newer answer when it was stale.
	 */
	async objectInfo({
		server: chosen,
		refresh = false
	}: {
		/** Another server than `server`. */
		server?: ServerView;
		/** Ask the server even when the cached answer is fresh. */
		refresh?: boolean;
	} = {}): Promise<ObjectInfoAnswer> {
		// Before start-up ends the same-origin ComfyUI is not known yet.
		await this.#ready;
		const server = chosen ?? this.server;
		if (!server) {
			return {
				ok: false,
				message: 'No ComfyUI server is set up, so the workflow could not be checked. Add one in Settings.'
			};
		}
		const failed = (error: unknown): ObjectInfoAnswer => ({
			ok: false,
			message: `The node definitions of ${server.name} could not be read: ${errorMessage(error)}`
		});
		const query = objectInfoQuery({ serverId: server.id, api: this.#app.apiFor(server) });
		await this.#app.serverData.hydrate(server.id);
		try {
			const answer = await cachedThenFresh(
				this.#app.queryClient,
				refresh ? { ...query, staleTime: 0 } : query
			);
			return {
				ok: true,
				objectInfo: answer.data,
				savedAt: answer.updatedAt,
				...(answer.fresh && {
					fresh: answer.fresh.then((next) =>
						next.ok ? { ok: true, objectInfo: next.data, savedAt: Date.now() } : failed(next.error)
					)
				})
			};
		} catch (error) {
			return failed(error);
		}
	}

	// -----------------------------------------------------------------------------------------------------------
	// Import and export

	/**
	 * Reads something dropped, picked or pasted. Nothing is saved: show the review, then call `confirmImport`.
	 * A Comfy Deck export file (one or many templates) is recognised before trying it as a workflow.
	 */
	async readImport({
		name = '',
		bytes,
		text
	}: {
		name?: string;
		bytes?: Uint8Array;
		text?: string;
	}): Promise<ImportReview> {
		const fileName = name || (text !== undefined ? 'Pasted text' : 'File');
		const ours = maybeTemplatesFile({ bytes, text });
		if (ours) {
			const parsed = parseTemplatesFile({ text: ours });
			if (parsed.kind === 'templates')
				return { kind: 'templates', fileName, templates: parsed.templates, problems: parsed.problems };
			if (parsed.kind === 'error')
				return { kind: 'error', fileName, message: parsed.message, details: parsed.problems };
		}
		const info = await this.objectInfo();
		const objectInfo = info.ok ? info.objectInfo : undefined;
		// The importer (ExifReader, the UI→API converter) loads when the user first imports something.
		const [{ importWorkflowFile }, { detectParameters }] = await Promise.all([
			import('$lib/comfy/workflow/import-file'),
			import('$lib/comfy/workflow/parameters')
		]);
		const result = await importWorkflowFile({ name, bytes, text, objectInfo });
		if (!result.ok) {
			const details = [...(result.error.details ?? [])];
			if (!info.ok && result.error.code === 'needs-server') details.push(info.message);
			return { kind: 'error', fileName, message: result.error.message, details };
		}
		const parameters = objectInfo
			? detectParameters({ api: result.api, objectInfo, controls: result.controls })
			: [];
		const template = createTemplate({
			name: result.suggestedName,
			api: result.api,
			ui: result.ui,
			parameters,
			source: result.kind,
			existingIds: this.#templates.map((t) => t.id)
		});
		return {
			kind: 'workflow',
			fileName,
			result,
			template,
			...(info.ok ? {} : { unchecked: info.message })
		};
	}

	/** Saves a reviewed workflow as a new template (version 1, the original import). */
	async confirmImport(template: Template): Promise<Template> {
		const existingIds = this.#templates.map((t) => t.id);
		const id = existingIds.includes(template.id)
			? createTemplate({ ...template, existingIds }).id
			: template.id;
		return this.save({ template: { ...template, id }, note: 'Imported' });
	}

	/**
	 * Saves templates from an export file. A new id is added; an existing one with different content becomes its
	 * next version (the previous one stays restorable); identical ones are left alone.
	 */
	async importTemplates(templates: Template[]): Promise<ImportedTemplatesSummary> {
		const summary: ImportedTemplatesSummary = { added: [], updated: [], unchanged: [] };
		for (const t of templates) {
			const existing = await this.get(t.id);
			if (!existing) {
				await this.save({ template: t, note: 'Imported from a file' });
				summary.added.push(t.name);
			} else if (sameContent({ kept: existing, incoming: t })) {
				summary.unchanged.push(t.name);
			} else {
				await this.save({ template: t, note: 'Replaced from a file' });
				summary.updated.push(t.name);
			}
		}
		return summary;
	}

	/** An export file (name and JSON text) of the given templates, or all of them. */
	exportFile({ templates = this.#templates }: { templates?: Template[] } = {}): {
		fileName: string;
		text: string;
	} {
		return { fileName: exportFileName({ templates }), text: exportTemplatesFile({ templates }) };
	}
}
