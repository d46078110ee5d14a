/**
 * Server faults against the simulator (issue 11): 500s, answers that come 30 s late, bodies cut off halfway, a
 * proxy's HTML error page, and a server restarting every second. Every failure is a typed ComfyError with bounded
 * retries, and no job ends half-written.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
	ComfyConnectionError,
	ComfyError,
	ComfyHttpError,
	ComfyProtocolError,
	ComfyTimeoutError,
	createComfyClient,
	type ApiWorkflow,
	type ComfyClient,
	type WebSocketConstructor
} from '../../src/lib/comfy/index';
import { isTerminal } from '../../src/lib/comfy/job-store';
import { useSimulator } from '../simulator/test-helpers';

const sim = useSimulator({ timeScale: 0.02 });
let client: ComfyClient;
/** Requests the client sent, as `METHOD /path`. */
let sent: string[] = [];

function newClient(options: { timeoutMs?: number } = {}): ComfyClient {
	return createComfyClient({
		baseUrl: sim.url,
		WebSocket: WebSocket as unknown as WebSocketConstructor,
		clientIdChannel: null,
		logLevel: 'error',
		timeoutMs: options.timeoutMs,
		fetch: (input, init) => {
			const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
			sent.push(`${init?.method ?? 'GET'} ${url.pathname}`);
			return fetch(input, init);
		},
		socket: { backoff: { baseMs: 50, capMs: 500, floorMs: 20 } },
		jobs: { checkAfterMs: 300, pollMs: 100, submitBackoff: { baseMs: 50, capMs: 300, floorMs: 20 } }
	});
}

const count = (request: string) => sent.filter((r) => r === request).length;

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a rejection');
}

beforeAll(() => {
	client = newClient();
});
afterEach(() => {
	sim.controls.reset();
	sent = [];
});
afterAll(async () => {
	await client?.close();
});

describe('HTTP faults', () => {
	it('retries a GET after 500s, and gives up after 4 attempts with a typed error', async () => {
		sim.controls.failRoute({ path: '/queue', status: 500, times: 2 });
		await expect(client.api.getQueue()).resolves.toMatchObject({ queue_running: [] });
		expect(count('GET /api/queue')).toBe(3);

		sent = [];
		sim.controls.failRoute({ path: '/queue', status: 500, times: 100 });
		const error = await rejection(client.api.getQueue());
		expect(error).toBeInstanceOf(ComfyHttpError);
		expect(error).toMatchObject({ status: 500, route: 'GET /api/queue' });
		expect(count('GET /api/queue')).toBe(4);
	});

	it('never re-sends a POST on a 500 (it may have been queued)', async () => {
		sim.controls.failRoute({ path: '/interrupt', status: 500, times: 5 });
		await expect(client.api.interrupt()).rejects.toBeInstanceOf(ComfyHttpError);
		expect(count('POST /api/interrupt')).toBe(1);
	});

	it('times out an answer that takes 30 s, once, with a typed error', async () => {
		const impatient = newClient({ timeoutMs: 150 });
		try {
			// 30 simulated seconds are 600 ms here.
			sim.controls.slowRoute({ path: '/system_stats', ms: 30_000 });
			const started = Date.now();
			const error = await rejection(impatient.api.getSystemStats());
			expect(error).toBeInstanceOf(ComfyTimeoutError);
			expect(error.message).toBe('GET /api/system_stats got no answer within 150 ms.');
			expect(Date.now() - started).toBeLessThan(550);
			expect(count('GET /api/system_stats')).toBe(1);
		} finally {
			await impatient.close();
		}
	});

	it('reads a body cut off halfway as a dropped connection, retries, and never returns half of it', async () => {
		sim.controls.truncateRoute({ path: '/history', times: 1 });
		await expect(client.api.getHistory()).resolves.toBeTypeOf('object');
		expect(count('GET /api/history')).toBe(2);

		sim.controls.truncateRoute({ path: '/view', times: 100 });
		const error = await rejection(client.api.view({ filename: 'example.png', type: 'input' }));
		expect(error).toBeInstanceOf(ComfyConnectionError);
		expect(error).toMatchObject({ diagnosis: 'unreachable' });
		expect(error.message).toBe('GET /api/view: the connection dropped before the whole answer arrived.');
		expect(count('GET /api/view')).toBe(4);
	});

	it("shows a proxy's HTML error page by its title, not as markup, and says ComfyUI may be down", async () => {
		sim.controls.failRoute({ path: '/queue', status: 502, html: true, times: 100 });
		const error = await rejection(client.api.getQueue());
		expect(error).toBeInstanceOf(ComfyHttpError);
		expect(error.message).toBe(
			'GET /api/queue failed: the server answered 502 (an HTML page: “502 Bad Gateway”).'
		);
		expect((error as ComfyHttpError).hint).toMatch(/proxy.*down or restarting/);
		expect(count('GET /api/queue')).toBe(4);
	});

	it('names an HTML page where JSON was expected (a login page of a proxy)', async () => {
		const html = '<!DOCTYPE html><html><head><title>Sign in · Access</title></head><body>…</body></html>';
		const proxied = createComfyClient({
			baseUrl: sim.url,
			autoConnect: false,
			fetch: async () => new Response(html, { status: 200, headers: { 'Content-Type': 'text/html' } })
		});
		const error = await rejection(proxied.api.getQueue());
		expect(error).toBeInstanceOf(ComfyProtocolError);
		expect(error.message).toContain('an HTML page: “Sign in · Access” instead of JSON');
		await proxied.close();
	});
});

function slowJob(seed: number): ApiWorkflow {
	return {
		'10': {
			class_type: 'TestSlowImage',
			inputs: { width: 16, height: 16, steps: 4, seconds_per_step: 2, seed, send_previews: false }
		},
		'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'faults/job' } }
	};
}

describe('job faults', () => {
	it('a POST /prompt answer cut off halfway: the job is asked about, not sent twice, and succeeds', async () => {
		sim.controls.truncateRoute({ path: '/prompt', times: 1 });
		const result = await client.generateImage({ workflow: slowJob(1), measureImages: false });
		expect(result.images).toHaveLength(1);
		expect(count('POST /api/prompt')).toBe(1);
	});

	it(
		'a server restarting every second: every job ends (succeeded with its images, or lost), none half-written',
		{ timeout: 60_000 },
		async () => {
			const outcome = (seed: number) =>
				client.generateImage({ workflow: slowJob(seed), measureImages: false }).then(
					(result) => (result.images.length === 1 ? 'succeeded' : 'no image'),
					(error: unknown) => (error instanceof ComfyError ? error.name : `untyped ${String(error)}`)
				);
			const outcomes: Promise<string>[] = [];
			const restarts = (async () => {
				// Down 300 ms (simulated 15 s) every second, four times.
				for (let i = 0; i < 4; i++) {
					await new Promise((resolve) => setTimeout(resolve, 700));
					await sim.controls.restart({ downMs: 15_000 });
				}
			})();
			// A job every 250 ms while the server restarts around them.
			for (let i = 0; i < 16; i++) {
				outcomes.push(outcome(100 + i));
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			await restarts;
			const names = await Promise.all(outcomes);
			for (const name of names) expect(name).toMatch(/^(succeeded|ComfyJobLostError|ComfyConnectionError)$/);
			expect(names).toContain('ComfyJobLostError');
			// The server up again, the next job simply succeeds.
			expect(await outcome(999)).toBe('succeeded');
			// Submissions that could not be settled are settled once the server stays up: lost, never stuck.
			await expect
				.poll(() => client.jobs.list().every((j) => isTerminal(j.status)), { timeout: 20_000 })
				.toBe(true);
			for (const job of client.jobs.list()) {
				if (job.status === 'succeeded') expect(job.outputs.length, job.id).toBe(1);
				else expect(job.error?.message, job.id).toBeTruthy();
			}
		}
	);
});
