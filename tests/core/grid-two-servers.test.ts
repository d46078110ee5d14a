/**
 * The browser queue against two simulators: a 40-cell X/Y grid spread over both, one server stopped mid-way (its
 * process restarts: queue, history and sockets gone, connections refused for a while, output files kept as on
 * disk) and back. Every cell must end with its image downloaded, and no cell may run to completion twice (the
 * simulators log every prompt they start, across the restart).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
	capabilitiesOf,
	createDispatcher,
	emptyQueue,
	addItems,
	expandBatch,
	type DispatchServer,
	type ServerHealth,
	type ServerCapabilities
} from '../../src/lib/comfy/batch/index';
import { createComfyClient, type ComfyClient, type WebSocketConstructor } from '../../src/lib/comfy/index';
import {
	applyParameters,
	makeParameter,
	type ApiWorkflow,
	type ParameterDef
} from '../../src/lib/comfy/workflow/index';
import { realObjectInfo } from '../../src/lib/comfy/workflow/testing/fixtures';
import { startSimulator, type RunningSimulator } from '../simulator/index';

const TIME_SCALE = 0.05;

const template: ApiWorkflow = {
	'10': {
		class_type: 'TestSlowImage',
		inputs: {
			width: 32,
			height: 24,
			steps: 5,
			seconds_per_step: 0.8,
			seed: 0,
			preview_format: 'JPEG',
			send_previews: false
		}
	},
	'11': { class_type: 'SaveImage', inputs: { images: ['10', 0], filename_prefix: 'grid/cell' } }
};

function parameter(input: string, label: string): ParameterDef {
	const p = makeParameter({
		api: template,
		objectInfo: realObjectInfo(),
		nodeId: '10',
		input,
		id: input,
		label
	});
	if (!p) throw new Error(`no parameter for ${input}`);
	return p;
}

/** A server as the app will hand it to the dispatcher: its client, health from the socket, object_info. */
async function connect(name: string, sim: RunningSimulator, onChange: () => void) {
	const client: ComfyClient = createComfyClient({
		baseUrl: sim.url,
		WebSocket: WebSocket as unknown as WebSocketConstructor,
		clientIdChannel: null,
		socket: { backoff: { baseMs: 20, capMs: 200, floorMs: 10 }, closeTimeoutMs: 300 },
		jobs: { checkAfterMs: 300, pollMs: 100, submitBackoff: { baseMs: 20, capMs: 200, floorMs: 10 } }
	});
	const health: ServerHealth = { socket: client.socket.state };
	client.socket.subscribe((event) => {
		if (event.type === 'state') health.socket = event.state;
		if (event.type === 'status') health.queueLength = event.data.status?.exec_info.queue_remaining;
		onChange();
	});
	const capabilities: ServerCapabilities = capabilitiesOf({ objectInfo: await client.api.getObjectInfo() });
	const server: DispatchServer = {
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		jobs: client.jobs,
		snapshot: () => ({ health: { ...health }, capabilities })
	};
	return { client, server };
}

const sims: RunningSimulator[] = [];
const clients: ComfyClient[] = [];
afterAll(async () => {
	for (const c of clients) await c.close();
	for (const s of sims) await s.close();
});

/** A download that may hit the restart: the file is on the server's disk, so try again until it is back. */
async function download(get: () => Promise<Blob>): Promise<number> {
	for (let attempt = 0; ; attempt++) {
		try {
			return (await (await get()).arrayBuffer()).byteLength;
		} catch (error) {
			if (attempt >= 50) throw error;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000) {
	const start = Date.now();
	while (!condition()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

describe('a grid over two simulators', () => {
	it(
		'40 cells, one server restarted mid-way: all 40 images, none run twice',
		{ timeout: 120_000 },
		async () => {
			const studio = await startSimulator({ quiet: true, cors: '*', timeScale: TIME_SCALE });
			const attic = await startSimulator({ quiet: true, cors: '*', timeScale: TIME_SCALE });
			sims.push(studio, attic);
			let refresh = () => {};
			const a = await connect('Studio box', studio, () => refresh());
			const b = await connect('Attic', attic, () => refresh());
			clients.push(a.client, b.client);

			const parameters = [parameter('seed', 'Seed'), parameter('width', 'Width')];
			const grid = expandBatch({
				parameters,
				values: {},
				axes: {
					x: { kind: 'range', parameterId: 'seed', start: 1, end: 8, step: 1 },
					y: { kind: 'values', parameterId: 'width', values: ['32', '40', '48', '56', '64'] }
				}
			});
			if (!grid.ok) throw new Error(JSON.stringify(grid.issues));
			expect(grid.total).toBe(40);
			const items = grid.items.map((item) => ({
				id: `cell-${item.key}`,
				workflow: applyParameters({ api: template, parameters, values: item.values }).api,
				group: { id: 'grid', key: item.key }
			}));

			// Like the app: a finished cell's image is downloaded into the browser at once.
			const images = new Map<string, number>();
			const downloads: Promise<void>[] = [];
			const servers = [a, b];
			const dispatcher = createDispatcher({
				servers: () => servers.map((s) => s.server),
				initial: addItems(emptyQueue(), { items, now: Date.now() }).state,
				objectInfo: () => realObjectInfo(),
				bucket: { ratePerSecond: 50, burst: 10 },
				onChange: (state) => {
					for (const e of state.entries) {
						if (e.status !== 'done' || images.has(e.id)) continue;
						images.set(e.id, 0);
						const owner = servers.find((s) => s.server.id === e.serverId)!;
						const output = owner.client.jobs.get(e.promptId!)!.outputs[0]!;
						downloads.push(
							download(() => owner.client.api.view({ ...output, type: 'output' })).then((bytes) => {
								images.set(e.id, bytes);
							})
						);
					}
				}
			});
			refresh = () => dispatcher.refresh();

			// Stop the attic a few cells in, right as a cell starts (polled every 10 ms; a cell runs 200 ms, so a loaded machine still catches it mid-run): a run cut
			// midway is the case under test. A run that ends in the very instant of the kill can have its last frames
			// and its history lost together, and no client can then tell it from a lost one.
			const successes = (sim: RunningSimulator) => sim.controls.runs().filter((r) => r.outcome === 'success');
			let seen = attic.controls.runs().length;
			await until(() => {
				const runs = attic.controls.runs();
				const justStarted = runs.length > seen && runs.at(-1)?.outcome === 'running';
				seen = runs.length;
				return justStarted && successes(attic).length >= 3;
			}, 'the attic to start a cell');
			const inFlightOnAttic = dispatcher.state.entries.filter(
				(e) => e.serverId === b.server.id && (e.status === 'released' || e.status === 'running')
			).length;
			expect(inFlightOnAttic).toBeGreaterThan(0);
			// Down for 16 simulated seconds: 800 ms at this time scale.
			await attic.controls.restart({ downMs: 16_000 });

			await dispatcher.idle();
			await Promise.all(downloads);
			dispatcher.close();

			const entries = dispatcher.state.entries;
			expect(entries).toHaveLength(40);
			expect(entries.filter((e) => e.status === 'done')).toHaveLength(40);
			expect([...images.values()].filter((bytes) => bytes > 100)).toHaveLength(40);

			// Every cell ran to completion exactly once, counting every prompt id it ever had on both servers.
			const runs = [...studio.controls.runs(), ...attic.controls.runs()];
			for (const e of entries) {
				const ids = new Set([e.promptId, ...e.attempts.map((x) => x.promptId)]);
				const completed = runs.filter((r) => ids.has(r.promptId) && r.outcome === 'success');
				const first = b.client.jobs.get(e.attempts[0]?.promptId ?? '');
				const why = JSON.stringify({
					attempts: e.attempts,
					first: first && { ...first, workflow: undefined }
				});
				expect(completed, `${e.id} ${why}`).toHaveLength(1);
			}
			expect(runs.filter((r) => r.outcome === 'success')).toHaveLength(40);
			// The restart did cut work, and those cells went out again.
			const cut = runs.filter((r) => r.outcome === 'cut');
			expect(cut.length).toBeGreaterThan(0);
			const resent = entries.filter((e) => e.attempts.length > 0);
			expect(resent.length).toBeGreaterThanOrEqual(cut.length);
			expect(resent.every((e) => /Attic lost it/.test(e.attempts[0]!.reason))).toBe(true);
			// Both servers took part after the restart too.
			const doneOn = new Set(entries.map((e) => e.serverId));
			expect(doneOn).toEqual(new Set([a.server.id, b.server.id]));
		}
	);
});
