import { ComfyValidationError, isTerminal, uuidv4, type JobRecord } from '$lib/comfy';
import { elapsedSeconds, progressFraction } from '$lib/comfy/job-progress';
import { applyParameters, type FormValues, type Template } from '$lib/comfy/workflow';
import { normalizeStyle, stylesOfTemplate } from '$lib/storage/history';
import { getJob, type JobAppInfo } from '$lib/storage/jobs';
import { promptHash } from '$lib/util/canonical-hash';
import type { AppState, ServerView } from './app.svelte';
import type { FreshResult } from './fresh-results.svelte';
import { FreshShown, loadKeptImages, type ShownImage } from './shown-image';
import type { GenerateOptions } from './generation-options';
import { LatestRunReader } from './latest-run';
import { CacheLookup, cachedResults } from './cache-lookup';

export { mediaFieldsOf, type ShownImage } from './shown-image';
import { errorMessage } from '$lib/util/error-message';

/** Where the panel's current run is, for the view. */
export type RunPhase = 'idle' | 'submitting' | JobRecord['status'] | 'cached';

/**
 * One generation panel's state: submits the form's workflow through the core, follows its job live (queue
 * position, node progress, previews, elapsed time), shows results from IndexedDB, and answers identical prompts
 * from the cache unless a random seed is in play.
 */
export class GenerationState {
	#jobId = $state<string | null>(null);
	#submitting = $state(false);
	#error = $state<string | null>(null);
	#images = $state<ShownImage[]>([]);
	#fromCache = $state(false);
	#refused = $state(false);
	#fromHistory = $state(false);
	#now = $state(Date.now());
	#pastStyles = $state<string[]>([]);
	/** The style label the next run gets (starts as the template's last one; the panel's field binds it). */
	style = $state('');

	#app: AppState;
	#urls: string[] = [];
	#timer: ReturnType<typeof setInterval> | undefined;
	// Cancels the panel's run while it is being sent (the reachability check, then the POST).
	#sending: AbortController | undefined;
	// Moves on every Generate: a showLatest still reading IndexedDB when Generate is pressed must not then put the
	// previous run back over the new one (a fast server finishes between its awaits), and a run still being sent
	// when Generate is pressed again goes on in the background without touching the panel (it follows the new one).
	#epoch = 0;
	// Runs between Generate and their job id (or failure): the panel is a run's, though jobId is empty.
	#generating = 0;
	// The images shown are the kept copies (IndexedDB): fresh bytes no longer replace them.
	#kept = false;
	#freshShown = new FreshShown();
	#latest = new LatestRunReader();
	#cache: CacheLookup;

	constructor({ app }: { app: AppState }) {
		this.#app = app;
		this.#cache = new CacheLookup({ db: app.db, history: app.jobs });
	}

	/** The job the panel follows (null before the first run). */
	get jobId(): string | null {
		return this.#jobId;
	}

	/** The run is being sent (the reachability check, then the POST). */
	get submitting(): boolean {
		return this.#submitting;
	}

	/** What went wrong before the server accepted the job (the job itself carries later errors). */
	get error(): string | null {
		return this.#error;
	}

	/** Results of the run (or of the cache hit, or of the template's last run from history). */
	get images(): ShownImage[] {
		return this.#images;
	}

	/** The results shown were answered from the result cache: nothing was sent. */
	get fromCache(): boolean {
		return this.#fromCache;
	}

	/** The server refused the prompt (the form shows why): the job's own copy of the error is not shown again. */
	get refused(): boolean {
		return this.#refused;
	}

	/** The images shown are the template's last run from history (the page was opened, nothing run yet). */
	get fromHistory(): boolean {
		return this.#fromHistory;
	}

	/** Style labels this template's runs used, most recent first (the field offers them). */
	get pastStyles(): string[] {
		return this.#pastStyles;
	}

	/** The live record of the current job. */
	get job(): (JobRecord & { serverId: string }) | undefined {
		return this.#jobId ? this.#app.jobs.byId[this.#jobId] : undefined;
	}

	get phase(): RunPhase {
		if (this.#fromCache) return 'cached';
		if (this.#submitting) return 'submitting';
		return this.job?.status ?? 'idle';
	}

	get preview(): string | undefined {
		return this.#jobId ? this.#app.jobs.previews[this.#jobId]?.url : undefined;
	}

	/** Seconds since the job was created, or its whole run once finished. */
	get elapsedSeconds(): number {
		return this.job ? elapsedSeconds(this.job, this.#now) : 0;
	}

	/** Overall progress 0–1: nodes done (cached ones count) plus the current node's steps. */
	get fraction(): number {
		return this.job ? progressFraction(this.job) : 0;
	}

	/**
	 * Generates from a template's form values on a server. Resolves true once the server queued the job, false when
	 * nothing was queued (a cache hit, or an error shown in `error`). `force` skips the cache ("Run anyway").
	 * It may be called again before an earlier run is queued: each run is sent, the panel follows the newest.
	 */
	async generate(options: GenerateOptions): Promise<boolean> {
		// Plain copies: the form's values are reactive proxies, which IndexedDB cannot store.
		const template = $state.snapshot(options.template) as Template;
		const values = $state.snapshot(options.values) as FormValues;
		const server = options.server;
		this.#reset();
		const epoch = this.#epoch;
		this.#generating++;
		try {
			return await this.#generate({ ...options, template, values, server }, () => epoch === this.#epoch);
		} finally {
			this.#generating--;
		}
	}

	/** `current` is false once Generate was pressed again: the run is still sent, but leaves the panel alone. */
	async #generate(options: GenerateOptions, current: () => boolean): Promise<boolean> {
		const { template, values, server } = options;
		const applied = applyParameters({ api: template.api, parameters: template.parameters, values });
		if (applied.issues.length) {
			this.#error = applied.issues.map((i) => i.message).join(' ');
			return false;
		}
		options.onsent?.();
		const workflow = applied.api;
		const randomized = template.parameters.some((p) => p.seedMode === 'random');
		const hash = await promptHash(workflow);

		if (!options.force && !randomized) {
			const entry = await this.#cache.find(hash);
			const cached =
				entry && (await this.#loadImages(await cachedResults(await this.#app.db, entry), entry.serverId));
			if (entry && cached) {
				if (!current()) return false;
				this.#images = cached;
				this.#fromCache = true;
				this.#jobId = entry.jobId;
				return false;
			}
		}

		const sending = new AbortController();
		if (current()) {
			this.#sending = sending;
			this.#submitting = true;
		}
		if (!(await this.#reachable(server, sending.signal, current))) {
			if (current()) this.#submitting = false;
			return false;
		}

		const id = uuidv4();
		const initials = this.#app.settings.values.userInitials.trim();
		const style = normalizeStyle(options.style ?? this.style);
		if (style) this.#pastStyles = [style, ...this.#pastStyles.filter((s) => s !== style)];
		const labels = {
			...(initials ? { userInitials: initials } : {}),
			...(style ? { style } : {})
		};
		const app: JobAppInfo = {
			templateId: template.id,
			templateName: template.name,
			parameters: values,
			promptHash: hash,
			randomized,
			...labels
		};
		if (current()) {
			this.#jobId = id;
			this.#tick();
		}
		// Saved whole (the tracker's record and these fields): noted in the job journal before the POST and written to
		// IndexedDB while it is sent, so a reload or a crash in between loses nothing.
		const unstage = this.#app.jobs.stage(id, { serverId: server.id, app });
		try {
			const client = await this.#app.jobs.clientFor(server);
			await client.jobs.submit({
				id,
				signal: sending.signal,
				workflow,
				extraData: template.ui ? { extra_pnginfo: { workflow: template.ui } } : undefined,
				metadata: {
					templateId: template.id,
					templateName: template.name,
					...labels
				}
			});
			return true;
		} catch (error) {
			// A run the panel no longer follows keeps its error in its job record (the run list shows it).
			if (sending.signal.aborted || !current()) return false;
			if (error instanceof ComfyValidationError) {
				const body = error.body as { node_errors?: unknown } | undefined;
				// The details go on the fields (and the form's list of the rest): here only a short summary.
				if (options.onnodeerrors && body?.node_errors && error.issues.length) {
					options.onnodeerrors(body.node_errors);
					const n = error.issues.length;
					this.#error = `ComfyUI refused the workflow: ${n === 1 ? '1 problem' : `${n} problems`}, shown on the form.`;
					this.#refused = true;
					return false;
				}
			}
			this.#error = errorMessage(error);
			return false;
		} finally {
			unstage();
			if (this.#app.jobs.byId[id]) this.#app.jobs.announce([id]);
			if (current()) this.#submitting = false;
			if (this.#sending === sending) this.#sending = undefined;
		}
	}

	/**
	 * A server not known to be online is checked first (a few seconds at most), so sending to an unreachable one
	 * says why at once, as the connection doctor puts it, and leaves no job behind. False when it cannot be used
	 * (the reason in `error`) or the user cancelled.
	 */
	async #reachable(server: ServerView, signal: AbortSignal, current: () => boolean): Promise<boolean> {
		if (this.#app.connections.get(server.id).status === 'online') return true;
		const cancelled = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null)));
		const connection = await Promise.race([
			this.#app.connections.check({ server, timeoutMs: 2_000 }),
			cancelled
		]);
		if (!connection) return false;
		if (connection.status === 'online') return true;
		if (!current()) return false;
		this.#error = [
			`${server.name} cannot be reached, so nothing was sent.`,
			connection.message,
			connection.hint
		]
			.filter(Boolean)
			.join(' ');
		return false;
	}

	/**
	 * Follows the newest unfinished job of a template, if there is one and the panel is idle: after a reload the
	 * run in progress (restored from IndexedDB and reconciled by the core) shows up again where it was started.
	 */
	attachToUnfinished(templateId: string): void {
		if (this.#jobId || this.#submitting || this.#generating > 0) return;
		const unfinished = this.#app.jobs.list.find(
			(job) => job.metadata?.templateId === templateId && !isTerminal(job.status)
		);
		if (!unfinished) return;
		this.#jobId = unfinished.id;
		this.#tick();
	}

	/**
	 * Shows the newest finished run of a template from history, if the panel is idle: reopening a template brings
	 * back what it made last.
	 */
	async showLatest(templateId: string): Promise<void> {
		if (this.#jobId || this.#submitting || this.#generating > 0) return;
		const epoch = this.#epoch;
		const db = await this.#app.db;
		const latest = await this.#latest.find({ db, templateId, history: this.#app.jobs });
		const idle = () => !this.#jobId && !this.#submitting && this.#generating === 0 && epoch === this.#epoch;
		if (!latest || !idle()) return;
		const shown = await this.#loadImages(latest.app.images ?? [], latest.serverId);
		if (!shown || !idle()) return;
		this.#images = shown;
		this.#jobId = latest.id;
		this.#fromHistory = true;
	}

	/**
	 * Reads the style labels a template's runs used; the field starts with the last one unless something was
	 * typed already.
	 */
	async loadStyles(templateId: string): Promise<void> {
		const styles = await stylesOfTemplate(await this.#app.db, { templateId });
		this.#pastStyles = styles;
		if (!this.style && styles[0]) this.style = styles[0];
	}

	/** Stops sending, removes the job from the queue, or interrupts it when running. */
	async cancel(): Promise<void> {
		this.#sending?.abort();
		if (!this.#jobId) this.#submitting = false;
		const job = this.job;
		if (!job || isTerminal(job.status)) return;
		const server = this.#app.servers.find((s) => s.id === job.serverId);
		if (server) await (await this.#app.jobs.clientFor(server)).jobs.cancel(job.id);
	}

	/**
	 * Shows the current job's outputs from their bytes the moment they are in, before the server confirmed the job
	 * and before they are kept (the kept copies take their place then, in `refreshResults`).
	 */
	showFresh(fresh: readonly FreshResult[] | undefined): void {
		const job = this.job;
		if (!fresh || !job || this.#fromCache || this.#fromHistory || this.#kept) return;
		if (fresh.length <= this.#images.length) return;
		this.#images = this.#freshShown.show({ fresh, serverId: job.serverId, urls: this.#urls });
	}

	/** Loads the finished job's kept images from IndexedDB (call when history changed). */
	async refreshResults(): Promise<void> {
		const job = this.job;
		// Once the kept copies show, nothing about them changes: later history changes (a batch) read nothing.
		if (!job || job.status !== 'succeeded' || this.#fromCache || this.#fromHistory || this.#kept) return;
		const epoch = this.#epoch;
		const db = await this.#app.db;
		const stored = await getJob(db, job.id);
		const kept = stored?.app.images ?? [];
		if (!kept.length || kept.some((i) => !i.hash)) return;
		const loaded = await this.#loadImages(kept, job.serverId);
		if (!loaded || epoch !== this.#epoch || this.#jobId !== job.id) return;
		this.#kept = true;
		// An image already shown from its fresh bytes keeps its URL: the same picture is not decoded again.
		this.#images = loaded.map((image, i) => {
			const shown = this.#freshShown.of(kept[i]);
			if (!shown) return image;
			URL.revokeObjectURL(image.url);
			return { ...image, url: shown.url, blob: shown.blob };
		});
	}

	/** Frees object URLs and timers (the panel unmounted). */
	dispose(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		for (const url of this.#urls) URL.revokeObjectURL(url);
		this.#urls = [];
	}

	/** The kept images as shown ones (object URLs freed with the panel's), or null when one is missing. */
	async #loadImages(
		kept: { hash?: string; filename?: string; subfolder?: string; type?: string }[],
		serverId?: string
	): Promise<ShownImage[] | null> {
		const shown = await loadKeptImages({ db: await this.#app.db, kept, serverId });
		for (const image of shown ?? []) this.#urls.push(image.url);
		return shown;
	}

	#reset() {
		this.#epoch++;
		for (const url of this.#urls) URL.revokeObjectURL(url);
		this.#urls = [];
		this.#images = [];
		this.#freshShown.clear();
		this.#fromCache = false;
		this.#submitting = false;
		this.#fromHistory = false;
		this.#kept = false;
		this.#refused = false;
		this.#error = null;
		this.#jobId = null;
	}

	#tick() {
		clearInterval(this.#timer);
		this.#timer = setInterval(() => {
			this.#now = Date.now();
			const job = this.job;
			if (job && isTerminal(job.status)) {
				clearInterval(this.#timer);
				this.#timer = undefined;
			}
		}, 250);
	}
}
