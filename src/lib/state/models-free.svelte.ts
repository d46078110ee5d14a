import type { ComfyApi } from '$lib/comfy';
import { errorMessage } from '$lib/util/error-message';

/** What the user asked the server to let go of. */
export type FreeKind = 'unload' | 'free';

/**
 * Unloading models / freeing memory on a server (`POST /free`). Given the app's `cachedApiFor(server)`, it is a
 * mutation that reads the server's stats again at once; ComfyUI applies it between prompts, and the live views'
 * 3 s checks show the rest on the VRAM chart.
 */
export class FreeMemoryAction {
	#working = $state<FreeKind | null>(null);
	#message = $state<{ ok: boolean; text: string } | null>(null);

	/** The request under way, or null. */
	get working(): FreeKind | null {
		return this.#working;
	}

	/** The outcome of the last request, for a status line. */
	get message(): { ok: boolean; text: string } | null {
		return this.#message;
	}

	/** `unload` drops the loaded models; `free` also releases cached memory back to the system. */
	async run({ api, kind }: { api: Pick<ComfyApi, 'free'>; kind: FreeKind }): Promise<void> {
		if (this.#working) return;
		this.#working = kind;
		this.#message = null;
		try {
			await api.free({ unloadModels: true, freeMemory: kind === 'free' });
			this.#message = {
				ok: true,
				text:
					kind === 'free'
						? 'Asked the server to unload models and free memory. The server applies it when no prompt is running.'
						: 'Asked the server to unload models. The server applies it when no prompt is running.'
			};
		} catch (error) {
			this.#message = { ok: false, text: errorMessage(error) };
		} finally {
			this.#working = null;
		}
	}
}
