/**
 * The protocol core bundled for a browser page (tests/e2e/core-in-browser.e2e.ts): exposes `window.runJob`, which
 * generates one image with the page's own fetch and WebSocket and reports what happened.
 */
import {
	createComfyClient,
	probeServer,
	type ApiWorkflow,
	type ComfyClient,
	type GenerationResult
} from '../../src/lib/comfy/index';
import { socketComeback, type ComebackReport } from './socket-comeback';

export interface RunJobOptions {
	workflow: ApiWorkflow;
	/** Hold back the POST /prompt answer this long, so the run's messages arrive before it. */
	delayPromptAnswerMs?: number;
	/** Ask the simulator (test mode) to cut this tab's socket after this many frames. */
	dropSocketAfterFrames?: number;
}

export interface RunJobReport {
	result?: GenerationResult;
	error?: { name: string; message: string };
	/** Job statuses in order, deduplicated. */
	statuses: string[];
	/** Statuses seen while the POST answer was still held back. */
	statusesBeforeAnswer: string[];
	previews: number;
	socketStates: string[];
	nodeOnlyGlobals: string[];
}

let client: ComfyClient | undefined;
let answerHeld = false;

function pageFetch(delayMs: () => number): typeof fetch {
	return async (input, init) => {
		const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
		const response = await fetch(input, init);
		if (init?.method === 'POST' && url.endsWith('/api/prompt') && delayMs() > 0) {
			answerHeld = true;
			await new Promise((resolve) => setTimeout(resolve, delayMs()));
			answerHeld = false;
		}
		return response;
	};
}

async function runJob(options: RunJobOptions): Promise<RunJobReport> {
	const base = new URL('.', location.href).href;
	let delay = 0;
	client ??= createComfyClient({ baseUrl: base, logLevel: 'debug', fetch: pageFetch(() => delay) });
	const socketStates: string[] = [];
	const stopSocket = client.socket.subscribe((e) => {
		if (e.type === 'state') socketStates.push(e.state);
	});
	const report: RunJobReport = {
		statuses: [],
		statusesBeforeAnswer: [],
		previews: 0,
		socketStates,
		nodeOnlyGlobals: ['Buffer', 'process', 'require', 'global'].filter((name) => name in globalThis)
	};
	const stopJobs = client.jobs.subscribe((change) => {
		if (report.statuses.at(-1) !== change.job.status) report.statuses.push(change.job.status);
		if (answerHeld && report.statusesBeforeAnswer.at(-1) !== change.job.status) {
			report.statusesBeforeAnswer.push(change.job.status);
		}
	});
	try {
		if (client.socket.state !== 'open') {
			await new Promise<void>((resolve) => {
				const stop = client?.socket.subscribe((e) => {
					if (e.type === 'connected') {
						stop?.();
						resolve();
					}
				});
			});
		}
		if (options.dropSocketAfterFrames !== undefined) {
			await fetch(new URL('__sim/control', base), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					action: 'dropSockets',
					clientId: client.socket.clientId,
					frames: options.dropSocketAfterFrames
				})
			});
		}
		delay = options.delayPromptAnswerMs ?? 0;
		report.result = await client.generateImage({
			workflow: options.workflow,
			onPreview: () => report.previews++
		});
	} catch (error) {
		report.error = {
			name: error instanceof Error ? error.name : 'Error',
			message: String(error instanceof Error ? error.message : error)
		};
	} finally {
		delay = 0;
		stopJobs();
		stopSocket();
	}
	return report;
}

/** `probeServer` from this page, reduced to what a test compares. */
async function probe(
	baseUrl: string
): Promise<{ ok: boolean; diagnosis?: string; message?: string; hint?: string; version?: string }> {
	const result = await probeServer({ baseUrl, timeoutMs: 3000 });
	return result.ok
		? { ok: true, version: result.systemStats.system.comfyui_version }
		: {
				ok: false,
				diagnosis: result.error.diagnosis,
				message: result.error.message,
				hint: result.error.hint
			};
}

/** The socket-comeback scenario (tests/core/socket-comeback.ts) with this page's WebSocket. */
async function comeback(refusals: number): Promise<ComebackReport> {
	const base = new URL('.', location.href).href;
	client ??= createComfyClient({ baseUrl: base, logLevel: 'debug', fetch: pageFetch(() => 0) });
	return socketComeback({ client, simUrl: base, refusals });
}

Object.assign(globalThis, { runJob, probe, comeback });
