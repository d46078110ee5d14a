import { uuidv4, type JobRecord } from '$lib/comfy';
import { encodeFormState, type FormValues } from '$lib/comfy/workflow';
import {
	diffRuns,
	normalizeTags,
	runsOfTemplate,
	setJobNote,
	setJobTags,
	type HistoryItem,
	type ParameterChange
} from '$lib/storage/history';
import { getImage } from '$lib/storage/images';
import { mediaFieldsOf } from './generation.svelte';
import { comparedResults, type ComparedKind } from './compared-results';
import { getJob, putJob, type StoredJob } from '$lib/storage/jobs';
import { zipBlob } from '$lib/util/zip';
import type { DeckDb } from '$lib/storage/db';
import { deleteJobs, type HistoryApp } from './history.svelte';
import type { TemplatesState } from './templates.svelte';
import { errorMessage } from '$lib/util/error-message';
import { ActionStatus } from './action-status.svelte';

/** A kept image ready to show: object URL of the original bytes. */
export interface DetailImage {
	hash?: string;
	filename: string;
	url?: string;
	blob?: Blob;
	width?: number;
	height?: number;
	bytes?: number;
	kind?: string;
	duration?: number;
	unplayable?: boolean;
}

/**
 * One history job in full: its images, parameters, workflow, timings and error; the difference to another run of
 * its template; tags and note; and the actions run again, edit and run, download and delete.
 */
export class HistoryDetailState extends ActionStatus {
	#id = $state('');
	#job = $state.raw<StoredJob | undefined>(undefined);
	#loading = $state(true);
	#missing = $state(false);
	#images = $state.raw<DetailImage[]>([]);
	#others = $state.raw<HistoryItem[]>([]);
	#compareId = $state('');
	#diff = $state.raw<ParameterChange[] | undefined>(undefined);
	#compared = $state.raw<(DetailImage & { url: string; compareKind: ComparedKind })[]>([]);
	#labels = $state.raw<Record<string, string>>({});

	#app: HistoryApp;
	#templates: Pick<TemplatesState, 'get'>;
	#urls: string[] = [];
	#compareUrls: string[] = [];
	#generation = 0;

	constructor(options: { app: HistoryApp; templates: Pick<TemplatesState, 'get'> }) {
		super();
		this.#app = options.app;
		this.#templates = options.templates;
	}

	/** The id of the job shown. */
	get id(): string {
		return this.#id;
	}

	/** The job as stored (undefined while loading or when it is gone). */
	get job(): StoredJob | undefined {
		return this.#job;
	}

	/** True until the job is read. */
	get loading(): boolean {
		return this.#loading;
	}

	/** True when no job has this id (deleted, or a link from another browser). */
	get missing(): boolean {
		return this.#missing;
	}

	/** Its kept images, with object URLs of the original bytes. */
	get images(): DetailImage[] {
		return this.#images;
	}

	/** Other runs of the same template, to compare with. */
	get others(): HistoryItem[] {
		return this.#others;
	}

	/** The run compared with (empty for none). */
	get compareId(): string {
		return this.#compareId;
	}

	/** What differs from the compared run. */
	get diff(): ParameterChange[] | undefined {
		return this.#diff;
	}

	/**
	 * The compared run's results to set beside this run's: its first video, its first sound and its first picture,
	 * each when both runs kept one (`compareKind` says which; empty when there is nothing to set side by side).
	 */
	get compared(): (DetailImage & { url: string; compareKind: ComparedKind })[] {
		return this.#compared;
	}

	/** Parameter ids → the labels the template's form gives them (ids of a deleted template stay as they are). */
	get labels(): Record<string, string> {
		return this.#labels;
	}

	/** The job as it is now: the live tracker record (status, progress) over what is stored. */
	get live(): (JobRecord & { serverId: string }) | undefined {
		return this.#app.jobs.byId[this.#id];
	}

	get status(): JobRecord['status'] | undefined {
		return this.live?.status ?? this.#job?.status;
	}

	get serverName(): string {
		const id = this.#job?.serverId;
		return this.#app.servers.find((s) => s.id === id)?.name ?? id ?? '';
	}

	get nodeCount(): number {
		return Object.keys(this.#job?.workflow ?? {}).length;
	}

	get workflowJson(): string {
		return JSON.stringify(this.#job?.workflow ?? {}, null, 2);
	}

	/** Opens a job (or reloads it after a change here or in another tab). */
	async load(id: string): Promise<void> {
		const generation = ++this.#generation;
		const changed = id !== this.#id;
		this.#id = id;
		if (changed) {
			this.#loading = true;
			this.clearStatus();
			this.#compareId = '';
			this.#diff = undefined;
		}
		try {
			const db = await this.#app.db;
			const job = await getJob(db, id);
			if (generation !== this.#generation) return;
			this.#job = job;
			this.#missing = !job;
			this.#loading = false;
			if (!job) return this.#setImages([]);
			await this.#loadImages(job, generation);
			const templateId = job.app?.templateId;
			const others = templateId ? (await runsOfTemplate(db, { templateId })).filter((i) => i.id !== id) : [];
			const template = templateId ? await this.#templates.get(templateId) : undefined;
			if (generation !== this.#generation) return;
			this.#labels = Object.fromEntries((template?.parameters ?? []).map((p) => [p.id, p.label]));
			this.#others = others;
			if (!this.#compareId && others[0]) this.#compareId = others[0].id;
			await this.compare(this.#compareId);
		} catch (error) {
			if (generation !== this.#generation) return;
			this.#loading = false;
			this.fail(`Could not read this generation: ${errorMessage(error)}`);
		}
	}

	/** Shows what differs between this run and another one. */
	async compare(otherId: string): Promise<void> {
		this.#compareId = otherId;
		const job = this.#job;
		if (!otherId || !job) {
			this.#diff = undefined;
			this.#setCompared([]);
			return;
		}
		const db = await this.#app.db;
		const other = await getJob(db, otherId);
		const pairs = other ? comparedResults(job, other) : [];
		const stored = await Promise.all(
			pairs.map(({ other }) => (other.hash ? getImage(db, other.hash) : undefined))
		);
		if (this.#compareId !== otherId) return;
		this.#diff = other ? diffRuns(job, other) : undefined;
		this.#setCompared(
			pairs.flatMap(({ kind, other: first }, i) => {
				const kept = stored[i];
				if (!kept) return [];
				return [
					{
						compareKind: kind,
						filename: first.filename,
						blob: kept.blob,
						width: first.width ?? kept.width,
						height: first.height ?? kept.height,
						...(first.kind ? { kind: first.kind } : {}),
						...(first.duration !== undefined ? { duration: first.duration } : {})
					}
				];
			})
		);
	}

	#setCompared(results: (DetailImage & { blob: Blob; compareKind: ComparedKind })[]) {
		for (const url of this.#compareUrls) URL.revokeObjectURL(url);
		this.#compared = results.map((result) => ({ ...result, url: URL.createObjectURL(result.blob) }));
		this.#compareUrls = this.#compared.map((result) => result.url);
	}

	async #loadImages(job: StoredJob, generation: number) {
		const db = await this.#app.db;
		const shown: DetailImage[] = [];
		for (const image of job.app?.images ?? []) {
			const stored = image.hash ? await getImage(db, image.hash) : undefined;
			shown.push({
				hash: image.hash,
				filename: image.filename,
				width: image.width ?? stored?.width,
				height: image.height ?? stored?.height,
				bytes: stored?.bytes ?? image.bytes,
				...mediaFieldsOf({ kind: image.kind, duration: image.duration, ...stored }),
				...(stored ? { blob: stored.blob } : {})
			});
		}
		if (generation !== this.#generation) return;
		this.#setImages(shown);
	}

	#setImages(images: DetailImage[]) {
		for (const url of this.#urls) URL.revokeObjectURL(url);
		this.#urls = [];
		this.#images = images.map((image) => {
			if (!image.blob) return image;
			const url = URL.createObjectURL(image.blob);
			this.#urls.push(url);
			return { ...image, url };
		});
	}

	/** Replaces the tags (typed comma-separated). */
	async saveTags(text: string): Promise<void> {
		const tags = normalizeTags(text.split(','));
		await this.#edit(async (db) => {
			await setJobTags(db, this.#id, tags);
			return 'Tags saved.';
		});
	}

	async saveNote(note: string): Promise<void> {
		await this.#edit(async (db) => {
			await setJobNote(db, this.#id, note);
			return 'Note saved.';
		});
	}

	async #edit(action: (db: DeckDb) => Promise<string>) {
		this.fail('');
		try {
			this.report(await action(await this.#app.db));
			this.#app.jobs.announce();
		} catch (error) {
			this.fail(`Could not save: ${errorMessage(error)}`);
		}
	}

	/**
	 * Sends the same API workflow to the same server as a new job, recorded in history with this run's template,
	 * preset and parameters. Resolves with the new job's id (undefined when it could not be sent; `error` says why).
	 */
	async runAgain(): Promise<string | undefined> {
		const job = this.#job;
		if (!job) return undefined;
		const server = this.#app.servers.find((s) => s.id === job.serverId);
		if (!server) {
			this.fail(
				'The server this ran on is no longer configured. Add it again in Settings, or use "Edit and run" to run it on another server.'
			);
			return undefined;
		}
		const id = uuidv4();
		const created = Date.now();
		const { templateId, templateName, presetId, parameters, promptHash, randomized, style } = job.app ?? {};
		const pending: StoredJob = {
			id,
			serverUrl: server.baseUrl,
			workflow: job.workflow,
			...(job.extraData ? { extraData: job.extraData } : {}),
			status: 'pending',
			outputs: [],
			timings: { created },
			attempts: 0,
			...(job.metadata ? { metadata: job.metadata } : {}),
			serverId: server.id,
			createdAt: created,
			// The same run again keeps its style label.
			app: {
				templateId,
				templateName,
				presetId,
				parameters,
				promptHash,
				randomized,
				...(style ? { style } : {})
			}
		};
		await this.busyWith({
			failure: `Could not run it again on ${server.name}`,
			action: async () => {
				const db = await this.#app.db;
				// Written before the POST, like every generation, so a reload in between loses nothing.
				await putJob(db, pending);
				this.#app.jobs.announce();
				const client = await this.#app.jobs.clientFor(server);
				await client.jobs.submit({
					id,
					workflow: job.workflow,
					extraData: job.extraData,
					metadata: job.metadata
				});
			}
		});
		// Even when sending failed the record is kept: the job view shows it as failed or lost, with its own error.
		return id;
	}

	/** The form link of this run's template, prefilled with its parameters (undefined when it cannot be made). */
	async editLink(): Promise<string | undefined> {
		const job = this.#job;
		const templateId = job?.app?.templateId;
		if (!job || !templateId) {
			this.fail('This generation was not made from a template, so there is no form to open.');
			return undefined;
		}
		const template = await this.#templates.get(templateId);
		if (!template) {
			this.fail(`The template "${job.app.templateName ?? templateId}" is no longer in this browser.`);
			return undefined;
		}
		return encodeFormState({
			templateId,
			parameters: template.parameters,
			values: (job.app.parameters ?? {}) as FormValues
		});
	}

	/** This run's images for download: the one image itself, or a zip of them all (original bytes). */
	async download(): Promise<{ blob: Blob; name: string } | undefined> {
		const kept = this.#images.flatMap((i) => (i.blob ? [{ name: i.filename, blob: i.blob }] : []));
		const first = kept[0];
		if (!first) {
			this.fail('No image of this generation is kept in this browser.');
			return undefined;
		}
		if (kept.length === 1) return { blob: first.blob, name: first.name };
		const files = await Promise.all(
			kept.map(async (i) => ({ name: i.name, bytes: new Uint8Array(await i.blob.arrayBuffer()) }))
		);
		return { blob: zipBlob(files), name: `comfy-deck-${this.#id.slice(0, 8)}.zip` };
	}

	/** Deletes this job and its images; resolves true when it is gone. */
	async remove(): Promise<boolean> {
		const result = await this.busyWith({
			failure: 'Could not delete',
			action: () => deleteJobs({ app: this.#app, ids: [this.#id] })
		});
		return (result?.deleted.length ?? 0) > 0;
	}

	/** Frees the image URLs (the view closed). */
	dispose(): void {
		this.#generation++;
		this.#setImages([]);
		this.#setCompared([]);
	}
}
