import {
	createMask,
	encodeMaskPng,
	invertMask,
	maskFilename,
	paintStroke,
	type ComfyApi,
	type MaskBitmap
} from '$lib/comfy';
import { serverFileOfValue, uploadedImageValue } from '$lib/comfy/workflow';
import { errorMessage } from '$lib/util/error-message';

const MAX_UNDO = 30;

/** A server input image a mask is painted on (`sub/name.png`, as an image field holds it). */
export interface MaskTarget {
	filename: string;
	subfolder: string;
	type: string;
}

/** Reads an image field's value (`sub/name.png`, maybe with ` [input]`) as the file it names. */
export function maskTargetOf(value: string): MaskTarget {
	return serverFileOfValue(value);
}

/**
 * The mask painter's state: brush or eraser with a size, an overlay opacity, undo, invert and clear over a mask
 * at the picture's real resolution; saving uploads it as ComfyUI's mask editor does (`/upload/mask` with
 * `original_ref`, painted area transparent) and gives the image field's new value.
 */
export class MaskPainterState {
	/** Brush or eraser (the view's buttons set it). */
	tool = $state<'brush' | 'eraser'>('brush');
	/** Brush radius in image pixels. */
	size = $state(24);
	/** How strongly the painted area shows over the picture (0…1); the saved mask does not depend on it. */
	opacity = $state(0.5);
	#version = $state(0);
	#painted = $state(false);
	#canUndo = $state(false);
	#saving = $state(false);
	#error = $state('');

	readonly target: MaskTarget;
	// Raw: the coverage changes in place; `version` tells the view when.
	#mask = $state.raw<MaskBitmap | undefined>(undefined);
	#undo: Uint8Array[] = [];
	#last: { x: number; y: number } | undefined;

	constructor(options: { target: MaskTarget }) {
		this.target = options.target;
	}

	/** Bumped on every change, so the view redraws. */
	get version(): number {
		return this.#version;
	}

	/** Some of the picture is painted. */
	get painted(): boolean {
		return this.#painted;
	}

	get canUndo(): boolean {
		return this.#canUndo;
	}

	/** The mask is being uploaded. */
	get saving(): boolean {
		return this.#saving;
	}

	/** Why the last save failed ('' when it did not). */
	get error(): string {
		return this.#error;
	}

	/** The mask, once the picture's size is known. */
	get mask(): MaskBitmap | undefined {
		return this.#mask;
	}

	/** Starts over at the picture's real size (its natural width and height). */
	setSize(options: { width: number; height: number }): void {
		this.#mask = createMask(options);
		// A sensible brush for the picture: about 4 % of its longer side.
		this.size = Math.max(2, Math.round(Math.max(options.width, options.height) / 25));
		this.#undo = [];
		this.#changed();
	}

	/** A pointer went down at (x, y) in image pixels. */
	begin(point: { x: number; y: number }): void {
		if (!this.#mask) return;
		this.#remember();
		this.#last = point;
		this.#paint(point);
	}

	/** The pointer moved while down. */
	extend(point: { x: number; y: number }): void {
		if (!this.#last) return;
		this.#paint(point);
	}

	/** The pointer went up or was cancelled. */
	end(): void {
		this.#last = undefined;
	}

	invert(): void {
		if (!this.#mask) return;
		this.#remember();
		invertMask(this.#mask);
		this.#changed();
	}

	clear(): void {
		if (!this.#mask || !this.#painted) return;
		this.#remember();
		this.#mask.coverage.fill(0);
		this.#changed();
	}

	undo(): void {
		const previous = this.#undo.pop();
		if (!previous || !this.#mask) return;
		this.#mask.coverage.set(previous);
		this.#changed();
	}

	/** Uploads the mask for the picture; resolves with the image field's new value, or undefined on failure. */
	async save(options: { api: Pick<ComfyApi, 'uploadMask'> }): Promise<string | undefined> {
		if (!this.#mask) return undefined;
		this.#saving = true;
		this.#error = '';
		try {
			const answer = await options.api.uploadMask({
				file: await encodeMaskPng(this.#mask),
				filename: maskFilename(this.target.filename),
				subfolder: this.target.subfolder,
				type: 'input',
				originalRef: { ...this.target }
			});
			return uploadedImageValue(answer);
		} catch (error) {
			this.#error = `The mask could not be saved: ${errorMessage(error)}. Your painting is still here; try again.`;
			return undefined;
		} finally {
			this.#saving = false;
		}
	}

	#paint(point: { x: number; y: number }) {
		if (!this.#mask) return;
		paintStroke(this.#mask, {
			from: this.#last ?? point,
			to: point,
			radius: this.size / 2,
			erase: this.tool === 'eraser'
		});
		this.#last = point;
		this.#changed();
	}

	#remember() {
		if (!this.#mask) return;
		this.#undo.push(this.#mask.coverage.slice());
		if (this.#undo.length > MAX_UNDO) this.#undo.shift();
	}

	#changed() {
		this.#painted = this.#mask?.coverage.some((v) => v > 0) ?? false;
		this.#canUndo = this.#undo.length > 0;
		this.#version++;
	}
}
