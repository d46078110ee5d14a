// The contract between the executor and simulated node classes. A node receives its resolved inputs (links
// already replaced by upstream outputs) and a context for progress, previews, files and timing.
import type { FileStore } from '../file-store';
import type { ModelStore } from '../model-store';
import type { ApiPrompt } from '../prompt-queue';
import type { ImageTensor } from '../image';

/** A Python exception as ComfyUI reports it (`exception_type`, message, traceback lines). */
export class PyError extends Error {
	constructor(
		readonly pyType: string,
		message: string,
		readonly traceback: string[] = []
	) {
		super(message);
	}
}

/** A preview to send with a progress update: `(format, image, max_size)` in ComfyUI terms. */
export interface Preview {
	format: 'JPEG' | 'PNG';
	image: ImageTensor;
	/** 512 for sampler previews; null sends the image at full size (SaveImageWebsocket). */
	maxSize: number | null;
}

export interface NodeContext {
	nodeId: string;
	promptId: string;
	/** The prompt after validation (values converted), as SaveImage embeds it. */
	prompt: ApiPrompt;
	extraData: Record<string, unknown>;
	files: FileStore;
	models: ModelStore;
	/** Per-node object state kept across prompts (ComfyUI's object cache), e.g. PreviewImage's prefix. */
	state: Record<string, unknown>;
	/** `pbar.update_absolute(value, max, preview)`: checks for an interrupt, then sends progress. */
	progress(value: number, max: number, preview?: Preview): Promise<void>;
	/** Waits a simulated duration (multiplied by the time scale). */
	sleep(seconds: number): Promise<void>;
	/** Binary event 3 (progress text), broadcast. */
	sendText(text: string): void;
	/** A custom event broadcast to every socket, as custom nodes do with `send_sync`. */
	sendEvent(type: string, data: unknown): void;
	/** Extra simulated seconds a model load takes (the slow-model-load control). */
	modelLoadDelay(): number;
	/** The preview-stream control: samplers' step rate in real frames a second and how many previews they cycle. */
	previewStream(): { fps: number; frames: number } | null;
	/** Waits real milliseconds, not scaled (the preview-stream control paces steps on the clock). */
	sleepReal(ms: number): Promise<void>;
}

export interface NodeResult {
	outputs: unknown[];
	ui?: Record<string, unknown[]>;
}

/** A simulated node class. */
export interface NodeImpl {
	run(inputs: Record<string, unknown>, ctx: NodeContext): NodeResult | Promise<NodeResult>;
	/** `IS_CHANGED`: part of the cache signature; NaN means "never cached". */
	isChanged?(inputs: Record<string, unknown>, ctx: { files: FileStore }): unknown;
	/** `NOT_IDEMPOTENT`: the node id joins the cache signature. */
	notIdempotent?: boolean;
	/** `VALIDATE_INPUTS`: the inputs it takes (those skip the min/max/list checks) and the check itself. */
	validate?: {
		inputs: string[];
		check(values: Record<string, unknown>, ctx: { files: FileStore }): true | false | string;
	};
}
