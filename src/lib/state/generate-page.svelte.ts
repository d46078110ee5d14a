import { untrack } from 'svelte';
import type { ComfyApi } from '$lib/comfy';
import { encodeFormState, serverFileOfValue, type FormValues, type Template } from '$lib/comfy/workflow';
import type { DeckDb } from '$lib/storage/db';
import { getRememberedForm, rememberForm } from '$lib/storage/form-values';
import type { Preset } from '$lib/storage/presets';
import { savedOutputsOf, type SavedOutputs } from '$lib/storage/saved-outputs';
import type { ServerView } from './app.svelte';
import type { ObjectInfoAnswer } from './templates.svelte';
import { TemplateFormState } from './template-form.svelte';

/** What the page needs of the templates state (a narrow view, so tests can hand in a plain object). */
export interface GeneratePageTemplates {
	readonly loaded: boolean;
	readonly server: ServerView | undefined;
	get(id: string): Promise<Template | undefined>;
	presets(templateId: string): Promise<Preset[]>;
	objectInfo(): Promise<ObjectInfoAnswer>;
}

/** Where the form's first values came from when the template was opened. */
export type ValuesSource = 'url' | 'remembered' | 'preset' | 'defaults';

/**
 * The generate page of one template at a time: opens it (values from the URL, else the values last used here,
 * else the default preset), keeps the address bar and IndexedDB in step with the form, follows links to the same
 * page with other values, and refreshes option lists when the server changes. The route only wires it to the
 * router with one-line effects; every method that an effect calls reads its own state untracked.
 */
export class GeneratePageState {
	#form = $state<TemplateFormState | null>(null);
	#missing = $state(false);
	#presets = $state<Preset[]>([]);
	#serverNote = $state('');
	#copied = $state('');
	#valuesSource = $state<ValuesSource | null>(null);
	#savedOutputs = $state.raw<SavedOutputs>({ IMAGE: [], VIDEO: [], AUDIO: [] });

	#templates: GeneratePageTemplates;
	#db: Promise<DeckDb>;
	#apiFor: (server: ServerView) => Pick<ComfyApi, 'viewUrl'>;
	#initialHash: () => string;
	#replaceHash: (hash: string) => void;
	#routeHash: () => string;
	// The page URL's fragment last acted on (the router's copy may be percent-decoded on the first load).
	#seenHash = '';
	#rememberedHash = '';
	// One write at a time; changes made meanwhile are written once it ends (a reload right after typing loses
	// nothing, and a burst of keystrokes makes two writes, not one per key).
	#writing: Promise<void> | undefined;
	#pending: TemplateFormState | undefined;
	#opening = 0;

	constructor(options: {
		templates: GeneratePageTemplates;
		db: Promise<DeckDb>;
		apiFor: (server: ServerView) => Pick<ComfyApi, 'viewUrl'>;
		/** The fragment the page was opened with (the app's first URL, else the current one). */
		initialHash: () => string;
		/** Puts a fragment in the address bar without a history entry. */
		replaceHash: (hash: string) => void;
		/** The router's copy of the fragment (what `followHash` is later called with). */
		routeHash: () => string;
	}) {
		this.#routeHash = options.routeHash;
		this.#templates = options.templates;
		this.#db = options.db;
		this.#apiFor = options.apiFor;
		this.#initialHash = options.initialHash;
		this.#replaceHash = options.replaceHash;
	}

	/** The open template's form (null while it opens, or when it is missing). */
	get form(): TemplateFormState | null {
		return this.#form;
	}

	/** The template id names no template in this browser. */
	get missing(): boolean {
		return this.#missing;
	}

	/** The open template's presets. */
	get presets(): Preset[] {
		return this.#presets;
	}

	/** Why option lists could not be read from the server ('' when they were). */
	get serverNote(): string {
		return this.#serverNote;
	}

	/** The answer to "Copy link". */
	get copied(): string {
		return this.#copied;
	}

	/** Where the form's first values came from. */
	get valuesSource(): ValuesSource | null {
		return this.#valuesSource;
	}

	/** Files this browser's runs saved on the server, offered to file fields beside the server's input files. */
	get savedOutputs(): SavedOutputs {
		return this.#savedOutputs;
	}

	/** The route's id changed, or the template list finished loading (`ready`): open the template unless it is open. */
	follow({ templateId, ready }: { templateId: string; ready: boolean }): void {
		untrack(() => {
			if (this.#form?.base.id === templateId) return;
			if (ready || !this.#form) void this.open(templateId);
		});
	}

	/** Opens a template: values from the URL when it names some, else the remembered ones, else the default preset. */
	async open(templateId: string): Promise<void> {
		const ticket = ++this.#opening;
		this.#form = null;
		this.#missing = false;
		const template = await this.#templates.get(templateId);
		if (ticket !== this.#opening) return;
		if (!template) {
			// The list may still be loading on a first start (starter templates).
			if (this.#templates.loaded) this.#missing = true;
			return;
		}
		const [presets, remembered] = await Promise.all([
			this.#templates.presets(template.id),
			this.#db.then((db) => getRememberedForm(db, template.id)).catch(() => undefined)
		]);
		if (ticket !== this.#opening) return;
		const form = new TemplateFormState({ template });
		const hash = this.#initialHash();
		const preset = presets.find((p) => p.isDefault);
		if (hash.includes('?')) {
			form.loadHash({ hash, fallback: preset?.values ?? {} });
			this.#valuesSource = 'url';
		} else if (remembered) {
			form.loadHash({ hash, fallback: knownValues(template, remembered.values) });
			for (const [id, mode] of Object.entries(remembered.seedModes)) form.setSeedMode({ id, mode });
			this.#valuesSource = 'remembered';
		} else {
			form.loadHash({ hash, fallback: preset?.values ?? {} });
			this.#valuesSource = preset ? 'preset' : 'defaults';
		}
		this.#presets = presets;
		this.#seenHash = this.#routeHash();
		this.#rememberedHash = form.hash;
		this.#form = form;
		void this.refresh();
	}

	/**
	 * Reads option lists (models, samplers, input files): the last ones known at once (kept in IndexedDB, so
	 * offline too), then the server's newer answer when they were stale; and the files saved on it from here.
	 */
	async refresh(): Promise<void> {
		const form = this.#form;
		if (!form) return;
		this.#serverNote = '';
		const serverId = this.#templates.server?.id;
		const [info, saved] = await Promise.all([
			this.#templates.objectInfo(),
			serverId ? this.#db.then((db) => savedOutputsOf(db, { serverId })).catch(() => undefined) : undefined
		]);
		if (form !== this.#form) return;
		if (saved) this.#savedOutputs = saved;
		if (!info.ok) {
			this.#serverNote = info.message;
			return;
		}
		form.refresh(info.objectInfo);
		const fresh = await info.fresh;
		if (!fresh || form !== this.#form) return;
		if (fresh.ok) form.refresh(fresh.objectInfo);
		else this.#serverNote = `${fresh.message} The lists shown are the ones it gave ${since(info.savedAt)}.`;
	}

	/** The page URL changed: a link to this same page with other values (a preset link, back/forward) loads them. */
	followHash({ hash, routeId }: { hash: string; routeId: string }): void {
		untrack(() => {
			const form = this.#form;
			if (!form || hash === this.#seenHash) return;
			this.#seenHash = hash;
			// Leaving (the fragment already names another page while this one is torn down) must not load it.
			if (!isPageOf(hash, routeId) || form.base.id !== routeId) return;
			if (hash !== form.hash) form.loadHash({ hash });
		});
	}

	/**
	 * Keeps the address bar on the form's URL (bookmarkable) and remembers the values for this template. Reads the
	 * form's hash tracked, so an effect calling it runs again on every change.
	 */
	sync(currentHash: string): void {
		const form = this.#form;
		const hash = form?.hash;
		if (!form || !hash) return;
		untrack(() => {
			if (currentHash !== hash) this.#replaceHash(hash);
			if (hash === this.#rememberedHash) return;
			this.#rememberedHash = hash;
			this.#pending = form;
			if (!this.#writing) this.#writing = this.#writeRemembered();
		});
	}

	/** The server came online or was switched: its lists may differ. */
	serverChanged(status: string | undefined): void {
		untrack(() => {
			if (this.#form && status === 'online') void this.refresh();
		});
	}

	/** Resolves once the values changed so far are stored. */
	async flush(): Promise<void> {
		await this.#writing;
	}

	/** Back to the template's own defaults (not the default preset), and remembered so. */
	resetToDefaults(): void {
		this.#form?.reset();
	}

	/** A URL showing the server file a file field's value names (`sub/name.png`, `video/a.mp4 [output]`). */
	previewUrl(value: unknown): string | undefined {
		const server = this.#templates.server;
		if (!server || typeof value !== 'string' || !value) return undefined;
		return this.#apiFor(server).viewUrl(serverFileOfValue(value));
	}

	/** The form URL that opens a preset's values. */
	presetLink(preset: Preset): string {
		const template = this.#form?.base;
		if (!template) return '';
		return encodeFormState({
			templateId: template.id,
			parameters: template.parameters,
			values: preset.values
		});
	}

	async reloadPresets(): Promise<void> {
		const id = this.#form?.base.id;
		if (id) this.#presets = await this.#templates.presets(id);
	}

	/** Copies the form's link, or says where to copy it from when the browser refuses. */
	async copyLink({
		href,
		clipboard
	}: {
		href: string;
		clipboard: Pick<Clipboard, 'writeText'> | undefined;
	}): Promise<void> {
		try {
			if (!clipboard) throw new Error('no clipboard');
			await clipboard.writeText(href);
			this.#copied = 'Link copied.';
		} catch {
			this.#copied = 'Copy the address from the address bar.';
		}
	}

	async #writeRemembered(): Promise<void> {
		for (let form = this.#pending; form; form = this.#pending) {
			this.#pending = undefined;
			try {
				const db = await this.#db;
				await rememberForm(db, {
					templateId: form.base.id,
					values: $state.snapshot(form.values) as FormValues,
					seedModes: $state.snapshot(form.seedModes)
				});
			} catch {
				// Remembering is a convenience: the URL still holds the values, so a failed write loses nothing now.
			}
		}
		this.#writing = undefined;
	}
}

/** "on 7 Dec, 14:05" or "at 14:05" (today): when cached lists were read. */
function since(ms: number): string {
	const at = new Date(ms);
	const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
	if (at.toDateString() === new Date().toDateString()) return `at ${time}`;
	return `on ${at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`;
}

/** Whether a fragment is the generate page of a template (`#/generate/<id>` with or without values). */
function isPageOf(hash: string, templateId: string): boolean {
	const path = hash.split('?')[0] ?? '';
	try {
		return decodeURIComponent(path) === `#/generate/${templateId}`;
	} catch {
		return false;
	}
}

/** Remembered values of fields the template still shows (it may have been edited since). */
function knownValues(template: Template, values: FormValues): FormValues {
	const out: FormValues = {};
	for (const p of template.parameters) {
		const value = values[p.id];
		if (!p.hidden && value !== undefined) out[p.id] = value;
	}
	return out;
}
