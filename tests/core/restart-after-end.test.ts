/**
 * A server that restarts after the socket showed a job run to its end, before the tracker confirmed it over REST:
 * the queue and history are gone, the files are on disk. The job ends `succeeded` with the files the `executed`
 * messages named, and is not run again; only when those files cannot be fetched is it `lost`, saying so.
 */
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
	createComfyClient,
	type ApiWorkflow,
	type ComfyClient,
	type JobRecord,
	type WebSocketConstructor
} from '../../src/lib/comfy/index';
import { useSimulator } from '../simulator/test-helpers';

const sim = useSimulator({ timeScale: 0.02 });
let client: ComfyClient | undefined;

const workflow: ApiWorkflow = {
	'10': {
		class_type: 'TestSlowImage',
		inputs: {
			width: 32,
			height: 24,
			steps: 3,
			seconds_per_step: 0.2,
			seed: 7,
			preview_format: 'JPEG',
			send_previews: false
		}
	},
	'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'restart/cell' } }
};

/** Runs the workflow and restarts the server as soon as the socket named the job's file (its last node ran). */
async function runThroughRestart(): Promise<{ job: JobRecord; restarts: number }> {
	client = createComfyClient({
		baseUrl: sim.url,
		WebSocket: WebSocket as unknown as WebSocketConstructor,
		clientIdChannel: null,
		logLevel: 'error',
		socket: { backoff: { baseMs: 20, capMs: 200, floorMs: 10 } },
		jobs: { checkAfterMs: 300, pollMs: 100, submitBackoff: { baseMs: 20, capMs: 200, floorMs: 10 } }
	});
	let restarts = 0;
	let restarted: Promise<void> | undefined;
	client.jobs.subscribe((change) => {
		if (restarted || change.job.outputs.length === 0 || change.job.status !== 'running') return;
		// In the same tick as the `executed` message: REST has not been asked yet, and the restart wipes the history.
		restarts++;
		restarted = sim.controls.restart({ downMs: 5_000 });
	});
	const submitted = await client.jobs.submit({ workflow });
	const job = await client.jobs.waitFor(submitted.id);
	await restarted;
	return { job, restarts };
}

afterEach(async () => {
	sim.controls.reset();
	await client?.close();
	client = undefined;
});

it(
	'ends succeeded with the files the socket named, fetched after the restart, and runs once',
	{ timeout: 30_000 },
	async () => {
		const { job, restarts } = await runThroughRestart();
		expect(restarts).toBe(1);
		expect(job.status).toBe('succeeded');
		expect(job.error).toBeUndefined();
		expect(job.outputs).toHaveLength(1);
		expect(job.outputs[0]).toMatchObject({ type: 'output', nodeId: '11' });
		expect(job.outputs[0]!.filename).toMatch(/^cell_\d+_\.png$/);
		const bytes = await (await client!.api.view(job.outputs[0]!)).arrayBuffer();
		expect(bytes.byteLength).toBeGreaterThan(100);
		// The history is gone, yet nothing went out twice.
		expect(await client!.api.getHistoryEntry({ promptId: job.id })).toBeUndefined();
		expect(sim.controls.runs().filter((r) => r.promptId === job.id)).toHaveLength(1);
		expect(client!.jobs.list()).toHaveLength(1);
	}
);

it(
	'is lost, naming the file, when the server no longer has what the socket named',
	{ timeout: 30_000 },
	async () => {
		sim.controls.failRoute({ path: '/view', status: 404, times: 50 });
		const { job } = await runThroughRestart();
		expect(job.status).toBe('lost');
		expect(job.error?.kind).toBe('lost');
		expect(job.error?.message).toMatch(/restarted before it confirmed/);
		expect(job.error?.message).toContain(job.outputs[0]!.filename);
		expect(sim.controls.runs().filter((r) => r.promptId === job.id)).toHaveLength(1);
	}
);
