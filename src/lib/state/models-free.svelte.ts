import type { ComfyApi } from '$lib/comfy';
import { errorMessage } from '$lib/util/error-message';

/** What the user asked the server to let go of. */
export type FreeKind = 'unload' | 'free';

/**
 * Unloading models / freeing memory on a server (`POST /free`). ComfyUI applies it between prompts, so the
 * stats are sampled again at once and twice more shortly after, and the VRAM chart shows the effect.
 */
export class FreeMemoryAction {
	working = $state<FreeKind | null>(null);
	/** The outcome of the last request, for a status line. */
	message = $state<{ ok: boolean; text: string } | null>(null);

	#resample: () => Promise<void> | void;
	#followUpsMs: number[];

	constructor(o: { resample: () => Promise<void> | void; followUpsMs?: number[] }) {
		this.#resample = o.resample;
		this.#followUpsMs = o.followUpsMs ?? [1000, 3000];
	}

	/** `unload` drops the loaded models; `free` also releases cached memory back to the system. */
	async run(api: Pick<ComfyApi, 'free'>, kind: FreeKind): Promise<void> {
		if (this.working) return;
		this.working = kind;
		this.message = null;
		try {
			await api.free({ unloadModels: true, freeMemory: kind === 'free' });
			this.message = {
				ok: true,
				text:
					kind === 'free'
						? 'Asked the server to unload models and free memory. The server applies it when no prompt is running.'
						: 'Asked the server to unload models. The server applies it when no prompt is running.'
			};
			void this.#resample();
			for (const ms of this.#followUpsMs) setTimeout(() => void this.#resample(), ms);
		} catch (error) {
			this.message = { ok: false, text: errorMessage(error) };
		} finally {
			this.working = null;
		}
	}
}
