import type { ComfyApi } from '$lib/comfy';
import {
	advanceSeeds,
	checkImageUpload,
	checkMediaUpload,
	decodeFormState,
	encodeFormState,
	mapNodeErrorsToParameters,
	MEDIA_HEAD_BYTES,
	refreshOptions,
	uploadedImageValue,
	validateValues,
	type FieldError,
	type FormValues,
	type ObjectInfo,
	type ParameterDef,
	type ParameterValue,
	type SeedMode,
	type Template,
	type UrlIssue
} from '$lib/comfy/workflow';
import { errorMessage } from '$lib/util/error-message';

/**
 * The generate form of one template: values, seed modes, validation, server errors on fields, and the URL that
 * reproduces it (`#/generate/<id>?prompt=…&seed=…`).
 */
export class TemplateFormState {
	/** The template as stored. */
	readonly base: Template;
	#parameters = $state.raw<ParameterDef[]>([]);
	#values = $state<FormValues>({});
	#seedModes = $state<Record<string, SeedMode>>({});
	#serverErrors = $state<Record<string, string>>({});
	#otherServerErrors = $state<string[]>([]);
	#issues = $state<string[]>([]);
	/** Fields the user has changed (errors show on those; every error shows after `revealErrors`). */
	#touched = $state<Record<string, boolean>>({});
	#showAllErrors = $state(true);
	#refreshed = $state(false);
	#uploads = $state<Record<string, UploadStatus>>({});

	constructor({ template }: { template: Template }) {
		this.base = template;
		this.#parameters = template.parameters;
		this.#values = defaultsOf(template.parameters);
	}

	/** Its parameters with option lists refreshed from the server (models, samplers, input images). */
	get parameters(): ParameterDef[] {
		return this.#parameters;
	}

	/** The value of every visible field, by parameter id (change one with `setValue`). */
	get values(): FormValues {
		return this.#values;
	}

	/** Seed modes changed in this form (else the template's). */
	get seedModes(): Record<string, SeedMode> {
		return this.#seedModes;
	}

	/** Server messages from a refused `POST /prompt`, by parameter id; cleared when the field changes. */
	get serverErrors(): Record<string, string> {
		return this.#serverErrors;
	}

	/** Server errors no visible field owns (links, hidden inputs), as sentences. */
	get otherServerErrors(): string[] {
		return this.#otherServerErrors;
	}

	/** What the opened URL or preset held that could not be used (until `dismissIssues`). */
	get issues(): string[] {
		return this.#issues;
	}

	/** Whether option lists were read from the server (until then, "not on this server" is not claimed). */
	get refreshed(): boolean {
		return this.#refreshed;
	}

	/** Per file field: the last upload's problem or progress. */
	get uploads(): Record<string, UploadStatus> {
		return this.#uploads;
	}

	/** The parameters as they run now: this form's seed modes applied. */
	get effectiveParameters(): ParameterDef[] {
		return this.#parameters.map((p) =>
			p.seedMode && this.#seedModes[p.id] ? { ...p, seedMode: this.#seedModes[p.id] } : p
		);
	}

	/** The template to run: refreshed options and this form's seed modes. */
	get template(): Template {
		return { ...this.base, parameters: this.effectiveParameters };
	}

	/** The parameters shown, in template order, grouped (group order = first appearance). */
	get groups(): { name: string; parameters: ParameterDef[] }[] {
		const out: { name: string; parameters: ParameterDef[] }[] = [];
		for (const p of this.effectiveParameters) {
			if (p.hidden) continue;
			let group = out.find((g) => g.name === p.group);
			if (!group) out.push((group = { name: p.group, parameters: [] }));
			group.parameters.push(p);
		}
		return out;
	}

	/** `validateValues` of the current values. */
	get validation(): FieldError[] {
		return validateValues({ parameters: this.effectiveParameters, values: this.#values });
	}

	get valid(): boolean {
		return this.validation.length === 0;
	}

	/**
	 * What is known to be wrong before sending: every field problem, except "not on this server" until the option
	 * lists were read from the server (until then the form cannot tell). Hidden fields are left to the server: the
	 * user could not fix them here.
	 */
	get problems(): FieldError[] {
		const visible = new Set(this.#parameters.filter((p) => !p.hidden).map((p) => p.id));
		return this.validation.filter(
			(e) => visible.has(e.parameterId) && (e.code !== 'not-in-list' || this.#refreshed)
		);
	}

	/** The message to show under a field (its server error first), or undefined. */
	errorFor(id: string): string | undefined {
		const server = this.#serverErrors[id];
		if (server) return server;
		if (!this.#showAllErrors && !this.#touched[id]) return undefined;
		const error = this.validation.find((e) => e.parameterId === id);
		if (error?.code === 'not-in-list' && !this.#refreshed) return undefined;
		return error?.message;
	}

	/** The fragment reproducing this form. */
	get hash(): string {
		return encodeFormState({
			templateId: this.base.id,
			parameters: this.base.parameters,
			values: this.#values,
			seedModes: this.#seedModes
		});
	}

	/** Refreshes option lists from the server's node definitions. */
	refresh(objectInfo: ObjectInfo): void {
		this.#parameters = refreshOptions({
			parameters: this.base.parameters,
			api: this.base.api,
			objectInfo
		});
		this.#refreshed = true;
	}

	/** Sets a field as the user did: it counts as touched, and its server error goes. */
	setValue({ id, value }: { id: string; value: ParameterValue }): void {
		this.#values[id] = value;
		this.#touched[id] = true;
		delete this.#serverErrors[id];
	}

	/** Changes how a seed field moves after each run (the template's own mode is not stored twice). */
	setSeedMode({ id, mode }: { id: string; mode: SeedMode }): void {
		const p = this.base.parameters.find((x) => x.id === id);
		if (!p?.seedMode) return;
		if (mode === p.seedMode) delete this.#seedModes[id];
		else this.#seedModes[id] = mode;
	}

	seedModeOf(p: ParameterDef): SeedMode | undefined {
		return this.#seedModes[p.id] ?? p.seedMode;
	}

	/** Shows every field's error (before submitting). */
	revealErrors(): void {
		this.#showAllErrors = true;
	}

	/**
	 * Fills the form from a URL fragment. Values the URL does not name keep `fallback` (a preset) or the default;
	 * every unknown key and unusable value is listed in `issues`, and out-of-range values are kept so the field
	 * shows why.
	 */
	loadHash({ hash, fallback = {} }: { hash: string; fallback?: FormValues }): void {
		const decoded = decodeFormState({ hash, parameters: this.base.parameters });
		this.#values = { ...defaultsOf(this.base.parameters), ...this.#known(fallback, 'preset') };
		this.#seedModes = {};
		this.#serverErrors = {};
		this.#otherServerErrors = [];
		this.#touched = {};
		if (!decoded.ok) {
			this.#issues = [decoded.message];
			return;
		}
		Object.assign(this.#values, decoded.values);
		this.#seedModes = decoded.seedModes;
		// An invalid value is kept and its field says why (against the server's current lists once refreshed).
		const unused = decoded.issues.filter(
			(i: UrlIssue) => i.code !== 'invalid-value' || i.key.endsWith('.mode')
		);
		this.#issues = [...this.#issues, ...unused.map((i) => i.message)];
		for (const i of decoded.issues) if (i.code === 'invalid-value') this.#touched[i.key] = true;
	}

	/**
	 * Applies a preset's values over the defaults. Values for fields the template no longer has are reported, as
	 * coming from `what` ("preset" unless told).
	 */
	applyValues({ values, what = 'preset' }: { values: FormValues; what?: string }): void {
		this.#values = { ...defaultsOf(this.base.parameters), ...this.#known(values, what) };
		this.#touched = {};
		this.#serverErrors = {};
	}

	#known(values: FormValues, what: string): FormValues {
		const out: FormValues = {};
		const unknown: string[] = [];
		for (const [k, v] of Object.entries(values)) {
			const p = this.base.parameters.find((x) => x.id === k);
			if (p && !p.hidden) out[k] = v;
			else unknown.push(k);
		}
		this.#issues =
			unknown.length > 0
				? [
						`The ${what} has values for fields this template does not show (${unknown.map((k) => `"${k}"`).join(', ')}); they were not used.`
					]
				: [];
		return out;
	}

	/** Back to the template's defaults. */
	reset(): void {
		this.applyValues({ values: {} });
		this.#seedModes = {};
		this.#issues = [];
	}

	/**
	 * Puts a refused prompt's `node_errors` on the fields that wrote the inputs, with the server's message; the
	 * rest goes to `otherServerErrors`.
	 */
	applyNodeErrors(nodeErrors: unknown): void {
		const { fields, unmatched } = mapNodeErrorsToParameters({
			nodeErrors,
			parameters: this.effectiveParameters
		});
		const byId: Record<string, string> = {};
		for (const f of fields)
			byId[f.parameterId] = byId[f.parameterId] ? `${byId[f.parameterId]} ${f.message}` : f.message;
		this.#serverErrors = byId;
		this.#otherServerErrors = unmatched.map((u) => u.message);
	}

	clearServerErrors(): void {
		this.#serverErrors = {};
		this.#otherServerErrors = [];
	}

	/** After a run was queued: seeds move as their mode says. */
	advanceSeeds(): void {
		this.#values = advanceSeeds({ parameters: this.effectiveParameters, values: this.#values });
	}

	/**
	 * Puts a server file (just uploaded, or a saved mask) into a file field, listing it if the server had not;
	 * `note` shows under the field (what happened to the file).
	 */
	useImage({ id, value, note }: { id: string; value: string; note?: string }): void {
		this.#parameters = this.#parameters.map((p) =>
			p.id === id && !p.options?.includes(value) ? { ...p, options: [value, ...(p.options ?? [])] } : p
		);
		this.setValue({ id, value });
		if (note !== undefined) this.#uploads[id] = { busy: false, message: note };
	}

	/** Hides what the opened URL or preset held that could not be used. */
	dismissIssues(): void {
		this.#issues = [];
	}

	/**
	 * Checks a file for an image, video or audio field (its magic bytes against what the field loads, the server's
	 * `max_upload_size`) and uploads it to the server's input folder as ComfyUI's frontend does
	 * (`POST /upload/image`, field `image`, whatever the kind); the field then holds the name the server gave it.
	 * Without a server (`api` undefined) the field says to add one.
	 */
	async uploadFile({
		id,
		file,
		api
	}: {
		id: string;
		file: File;
		api: Pick<ComfyApi, 'getFeatures' | 'uploadImage'> | undefined;
	}): Promise<void> {
		if (!api) {
			this.#uploads[id] = {
				busy: false,
				error: true,
				message: 'Add a ComfyUI server in Settings to upload files.'
			};
			return;
		}
		const kind = this.#parameters.find((p) => p.id === id)?.kind;
		this.#uploads[id] = { busy: true, message: `Checking ${file.name}…` };
		try {
			let maxUploadSize: number | undefined;
			try {
				maxUploadSize = (await api.getFeatures()).max_upload_size;
			} catch {
				// Older servers have no /features: the server still enforces its own limit.
			}
			const head = new Uint8Array(await file.slice(0, MEDIA_HEAD_BYTES).arrayBuffer());
			const facts = { name: file.name, bytes: head, size: file.size, maxUploadSize };
			const check =
				kind === 'VIDEO' || kind === 'AUDIO'
					? checkMediaUpload({ accept: kind === 'VIDEO' ? 'video' : 'audio', ...facts })
					: checkImageUpload(facts);
			if (!check.ok) {
				this.#uploads[id] = { busy: false, message: check.message, error: true };
				return;
			}
			this.#uploads[id] = { busy: true, message: `Uploading ${check.fileName}…` };
			const blob = file.type === check.mime ? file : new Blob([file], { type: check.mime });
			const answer = await api.uploadImage({ file: blob, filename: check.fileName, type: 'input' });
			const value = uploadedImageValue(answer);
			this.useImage({ id, value, note: `Uploaded as ${value}.` });
		} catch (error) {
			this.#uploads[id] = {
				busy: false,
				error: true,
				message: `The upload failed: ${errorMessage(error)}`
			};
		}
	}
}

/** What a file field shows about its last upload: progress, or what went wrong. */
export interface UploadStatus {
	busy: boolean;
	message?: string;
	error?: boolean;
}

/** Every visible parameter's default. */
function defaultsOf(parameters: ParameterDef[]): FormValues {
	const out: FormValues = {};
	for (const p of parameters) if (!p.hidden) out[p.id] = p.default;
	return out;
}
