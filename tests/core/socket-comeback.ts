/**
 * The "socket must come back" scenario, shared by Node (the `ws` package and Node's built-in WebSocket) and
 * Chromium (tests/core/browser-entry.ts): a connected client loses its socket, the server refuses the next
 * upgrades with 503 (a proxy in front of a busy or restarting ComfyUI), then accepts again. The client must open a
 * socket again within a few seconds and get progress over it, not finish its next job by REST polling.
 *
 * Drives the simulator (test mode) over `POST /__sim/control`, so it runs wherever `fetch` does.
 */
import type { ApiWorkflow, ComfyClient } from '../../src/lib/comfy/index';

export interface ComebackOptions {
	client: ComfyClient;
	/** The simulator's base URL (test mode on). */
	simUrl: string;
	/** How many upgrades the server refuses before it accepts again. */
	refusals: number;
	/** Give up waiting for each step after this long (ms). */
	stepTimeoutMs?: number;
}

export interface ComebackReport {
	/** Upgrades the server refused (by the control) and accepted, over the whole scenario. */
	refused: number;
	accepted: number;
	/** From the moment the server accepts upgrades again to the client's next `connected`; null = never. */
	reopenMs: number | null;
	/** The socket's state at the end. */
	finalState: string;
	/** Socket states in order. */
	states: string[];
	/** Progress callbacks with a step count (only the socket reports steps) and previews of the job run after. */
	stepProgress: number;
	previews: number;
	jobStatus: string;
}

// A fresh seed per run: the server caches outputs, and a cached job sends no progress at all.
const workflow = (seed: number): ApiWorkflow => ({
	'10': {
		class_type: 'TestSlowImage',
		inputs: {
			width: 32,
			height: 24,
			steps: 2,
			seconds_per_step: 0.2,
			seed,
			preview_format: 'JPEG',
			send_previews: true
		}
	},
	'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'comeback/job' } }
});

async function control(simUrl: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
	const response = await fetch(new URL('/__sim/control', simUrl), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body)
	});
	return (await response.json()) as Record<string, unknown>;
}

async function upgradeCounts(simUrl: string): Promise<{ accepted: number; refused: number }> {
	const reply = await control(simUrl, { action: 'upgradeCounts' });
	return { accepted: Number(reply['accepted']), refused: Number(reply['refused']) };
}

/** Resolves true once `test()` holds (checked every 20 ms), false after `timeoutMs`. */
async function until(test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await test()) return true;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return test();
}

export async function socketComeback(options: ComebackOptions): Promise<ComebackReport> {
	const { client, simUrl, refusals } = options;
	const stepTimeoutMs = options.stepTimeoutMs ?? 10_000;
	const states: string[] = [];
	let connectedAt: number | null = null;
	const stop = client.socket.subscribe((event) => {
		if (event.type === 'state') states.push(event.state);
		if (event.type === 'connected') connectedAt = Date.now();
	});
	try {
		await until(() => client.socket.state === 'open', stepTimeoutMs);
		const before = await upgradeCounts(simUrl);
		await control(simUrl, { action: 'refuseUpgrades', times: 1_000, status: 503 });
		await control(simUrl, { action: 'dropSockets', clientId: client.socket.clientId, frames: 0 });
		await until(
			async () => (await upgradeCounts(simUrl)).refused - before.refused >= refusals,
			stepTimeoutMs
		);
		connectedAt = null;
		await control(simUrl, { action: 'refuseUpgrades', times: 0 });
		const acceptingSince = Date.now();
		await until(() => connectedAt !== null, stepTimeoutMs);
		const reopenMs = connectedAt === null ? null : Math.max(0, connectedAt - acceptingSince);

		let stepProgress = 0;
		let previews = 0;
		let jobStatus = 'unknown';
		try {
			const result = await client.generateImage({
				workflow: workflow(Math.floor(Math.random() * 2 ** 31)),
				measureImages: false,
				onProgress: (progress) => {
					if (progress.max !== undefined && progress.max > 0) stepProgress += 1;
				},
				onPreview: () => (previews += 1)
			});
			jobStatus = result.images.length > 0 ? 'succeeded' : 'no images';
		} catch (error) {
			jobStatus = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
		}
		const after = await upgradeCounts(simUrl);
		return {
			refused: after.refused - before.refused,
			accepted: after.accepted - before.accepted,
			reopenMs,
			finalState: client.socket.state,
			states,
			stepProgress,
			previews,
			jobStatus
		};
	} finally {
		stop();
		await control(simUrl, { action: 'refuseUpgrades', times: 0 });
	}
}
