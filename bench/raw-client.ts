// The floor for the end-to-end benchmark (e2e-speed.bench.ts): the least a browser client can do for one job
// against ComfyUI, written by hand with fetch and one WebSocket. POST /prompt with a client-chosen prompt_id,
// wait for `executing` with node null for that prompt, GET /history/{id}, GET /view of the first image. No
// validation, no storage, no retries, no rendering: whatever the app takes beyond this is its own cost.
// Installed into the page as an init script (pageScript() in simulator-app.ts), so it runs in the same Chromium
// and at the same origin as the app; it must not import anything.

/** What one raw job reports, in ms from the moment before the POST. */
export interface RawTiming {
	/** POST /prompt answered. */
	postedMs: number;
	/** `executing` with node null seen on the socket. */
	executedMs: number;
	/** GET /history answered. */
	historyMs: number;
	/** The image's bytes are all in (GET /view). */
	bytesMs: number;
	bytes: number;
}

export interface RawClient {
	/** Runs one job; resolves once the first output image's bytes are in. */
	run(prompt: Record<string, unknown>): Promise<RawTiming>;
	/** Submits every prompt at once; resolves with each job's bytes-in time (ms from the first POST). */
	batch(prompts: Record<string, unknown>[]): Promise<number[]>;
}

/** Defines `window.rawClient` for the page's own origin (the simulator serving the build, like ComfyUI). */
export function installRawClient(): void {
	const base = new URL('.', location.href);
	const clientId = `raw-${crypto.randomUUID()}`;
	const waiting = new Map<string, () => void>();
	let socket: Promise<WebSocket> | undefined;

	function connect(): Promise<WebSocket> {
		socket ??= new Promise((resolve, reject) => {
			const url = new URL(`ws?clientId=${clientId}`, base);
			url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
			const ws = new WebSocket(url);
			ws.onopen = () => resolve(ws);
			ws.onerror = () => reject(new Error('raw client: the socket did not open'));
			ws.onmessage = (event) => {
				if (typeof event.data !== 'string') return; // previews: not needed for the floor
				const message = JSON.parse(event.data) as {
					type: string;
					data?: { node?: string | null; prompt_id?: string };
				};
				const id = message.data?.prompt_id;
				if (message.type === 'executing' && message.data?.node === null && id) {
					waiting.get(id)?.();
					waiting.delete(id);
				}
			};
		});
		return socket;
	}

	async function firstImage(promptId: string): Promise<URL> {
		const history = (await (await fetch(new URL(`history/${promptId}`, base))).json()) as Record<
			string,
			{ outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }> }
		>;
		const outputs = Object.values(history[promptId]?.outputs ?? {});
		const image = outputs.flatMap((o) => o.images ?? [])[0];
		if (!image) throw new Error(`raw client: no image in the history of ${promptId}`);
		return new URL(`view?${new URLSearchParams(image)}`, base);
	}

	async function submit(prompt: Record<string, unknown>): Promise<{ id: string; done: Promise<void> }> {
		await connect();
		const id = crypto.randomUUID();
		// Listen before the POST: the job may end before its answer arrives.
		const done = new Promise<void>((resolve) => waiting.set(id, resolve));
		const response = await fetch(new URL('prompt', base), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt, client_id: clientId, prompt_id: id })
		});
		if (!response.ok) throw new Error(`raw client: POST /prompt answered ${response.status}`);
		await response.json();
		return { id, done };
	}

	const client: RawClient = {
		async run(prompt) {
			await connect();
			const started = performance.now();
			const { id, done } = await submit(prompt);
			const postedMs = performance.now() - started;
			await done;
			const executedMs = performance.now() - started;
			const view = await firstImage(id);
			const historyMs = performance.now() - started;
			const bytes = (await (await fetch(view)).arrayBuffer()).byteLength;
			return { postedMs, executedMs, historyMs, bytesMs: performance.now() - started, bytes };
		},
		async batch(prompts) {
			await connect();
			const started = performance.now();
			const jobs = await Promise.all(prompts.map((p) => submit(p)));
			return Promise.all(
				jobs.map(async ({ id, done }) => {
					await done;
					await (await fetch(await firstImage(id))).arrayBuffer();
					return performance.now() - started;
				})
			);
		}
	};
	(window as unknown as { rawClient: RawClient }).rawClient = client;
}
