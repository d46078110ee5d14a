import { FIT, panBy, wheelFactor, zoomAt, type ZoomView } from '$lib/util/zoom';

/** What the viewer shows: a kept result with its original bytes. */
export interface ViewerMedia {
	url: string;
	blob: Blob;
	filename: string;
	mime: string;
	/** `image`, `animated`, `video`, `audio`, `text` or `other`. */
	kind?: string;
	width?: number;
	height?: number;
	unplayable?: boolean;
	/** Where the result is saved on its server (`video/a.mp4 [output]`): "Use as input" names it, not a copy. */
	saved?: { serverId: string; value: string };
}

/**
 * One step of the viewer's walk: a result already in memory (`media`), or one read when it is reached (`load`, a
 * History run's first image). `jobId` names the run it came from, for "Open the run".
 */
export interface ViewerEntry {
	key: string;
	jobId?: string;
	/** A short label for the run (template name), shown beside the file name. */
	label?: string;
	media?: ViewerMedia;
	load?: () => Promise<Omit<ViewerMedia, 'url'> | undefined>;
}

const STEP = 1.5;

/**
 * The full-window viewer's state: which entry of a run or of the History filter is shown, previous/next, the zoom
 * and pan of a picture (reset on every step), and object URLs of the entries it read itself (freed on each step
 * and on close).
 */
export class ImageViewerState {
	#entries = $state.raw<ViewerEntry[]>([]);
	#index = $state(0);
	#media = $state.raw<ViewerMedia | undefined>(undefined);
	#loading = $state(false);
	#error = $state('');
	#view = $state.raw<ZoomView>(FIT);

	#owned: string | undefined;
	#generation = 0;

	constructor(options: { entries: ViewerEntry[]; index?: number }) {
		this.#entries = options.entries;
		void this.show(options.index ?? 0);
	}

	/** What the viewer steps through (a run's results, or the History filter). */
	get entries(): ViewerEntry[] {
		return this.#entries;
	}

	/** Which entry is shown. */
	get index(): number {
		return this.#index;
	}

	/** The shown entry's file, once read. */
	get media(): ViewerMedia | undefined {
		return this.#media;
	}

	/** The shown entry is being read from this browser. */
	get loading(): boolean {
		return this.#loading;
	}

	/** Set when the shown entry could not be read. */
	get error(): string {
		return this.#error;
	}

	/** The picture's zoom and pan (fitted after every step). */
	get view(): ZoomView {
		return this.#view;
	}

	get entry(): ViewerEntry | undefined {
		return this.#entries[this.#index];
	}

	get count(): number {
		return this.#entries.length;
	}

	get hasPrevious(): boolean {
		return this.#index > 0;
	}

	get hasNext(): boolean {
		return this.#index < this.#entries.length - 1;
	}

	/** Pictures zoom and pan; players and files are shown as they are. */
	get zoomable(): boolean {
		const media = this.#media;
		return (
			!!media && !media.unplayable && (!media.kind || media.kind === 'image' || media.kind === 'animated')
		);
	}

	get zoomed(): boolean {
		return this.#view.scale > 1;
	}

	/** Shows entry `index` (clamped to the list), reading it first when it is not in memory. */
	async show(index: number): Promise<void> {
		const target = Math.max(0, Math.min(this.#entries.length - 1, index));
		const generation = ++this.#generation;
		this.#index = target;
		this.#view = FIT;
		this.#error = '';
		this.#release();
		const entry = this.#entries[target];
		if (!entry) {
			this.#media = undefined;
			return;
		}
		if (entry.media) {
			this.#media = entry.media;
			return;
		}
		this.#media = undefined;
		this.#loading = true;
		try {
			const read = await entry.load?.();
			if (generation !== this.#generation) return;
			if (!read) {
				this.#error = 'This image is not kept in this browser.';
				return;
			}
			const url = URL.createObjectURL(read.blob);
			this.#owned = url;
			this.#media = { ...read, url };
		} catch {
			if (generation === this.#generation) this.#error = 'This image could not be read from this browser.';
		} finally {
			if (generation === this.#generation) this.#loading = false;
		}
	}

	previous(): void {
		if (this.hasPrevious) void this.show(this.#index - 1);
	}

	next(): void {
		if (this.hasNext) void this.show(this.#index + 1);
	}

	/** Zooms in or out one step (keyboard, buttons), about `at` (from the stage's centre) when given. */
	zoom({ direction, at }: { direction: 1 | -1; at?: { x: number; y: number } }): void {
		if (!this.zoomable) return;
		this.#view = zoomAt({ view: this.#view, factor: direction > 0 ? STEP : 1 / STEP, at });
	}

	/** A wheel turn over the picture, about the pointer. */
	wheel({ deltaY, at }: { deltaY: number; at: { x: number; y: number } }): void {
		if (!this.zoomable) return;
		this.#view = zoomAt({ view: this.#view, factor: wheelFactor(deltaY), at });
	}

	/** A pinch: the fingers' distance changed by `factor` around their midpoint `at`. */
	pinch({ factor, at }: { factor: number; at: { x: number; y: number } }): void {
		if (!this.zoomable || !Number.isFinite(factor) || factor <= 0) return;
		this.#view = zoomAt({ view: this.#view, factor, at });
	}

	pan(options: {
		dx: number;
		dy: number;
		size: { width: number; height: number };
		stage: { width: number; height: number };
	}): void {
		this.#view = panBy({ view: this.#view, ...options });
	}

	fit(): void {
		this.#view = FIT;
	}

	#release() {
		if (this.#owned) URL.revokeObjectURL(this.#owned);
		this.#owned = undefined;
	}

	/** Frees what the viewer read itself (it closed). */
	dispose(): void {
		this.#generation++;
		this.#release();
	}
}
