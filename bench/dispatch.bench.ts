// The browser queue's own cost, in Node (no page): 200 items through createDispatcher against the simulator at its
// fastest time scale, against the same number of prompts POSTed by a plain fetch loop. Both wait for the server to
// finish every prompt. The simulator runs in a process of its own, as a real server would: in this process it
// would share one thread with the client, and the client's work would slow the server down. The page's main-thread time and memory come with the Queue view (issue 14's UI slice).
// At this time scale a prompt runs in about as long as one POST round trip takes, so with the default 2 in flight
// the server can idle between just-in-time releases; the figure with 4 in flight shows how much of the gap that is.
import { WebSocket } from 'ws';
import {
	addItems,
	capabilitiesOf,
	createDispatcher,
	emptyQueue,
	type ServerHealth
} from '../src/lib/comfy/batch/index';
import { createComfyClient, type WebSocketConstructor } from '../src/lib/comfy/index';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSocket, postJson } from '../tests/simulator/test-helpers';

export const name = 'dispatch';

const ITEMS = 200;
const ROUNDS = 2;

interface Sim {
	url: string;
	child: ChildProcess;
}

/** The simulator's CLI in a child process, on a free port, at the fastest time scale. */
function startSimulatorProcess(): Promise<Sim> {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'tests/simulator/cli.ts', '--port', '0', '--cors', '*', '--time-scale', '0'],
		{ stdio: ['ignore', 'pipe', 'inherit'] }
	);
	return new Promise((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
			if (url) resolve({ url, child });
		});
		child.once('exit', (code) =>
			reject(new Error(`the simulator exited (${code}) before listening: ${out}`))
		);
	});
}

/** A cheap prompt; `color` keeps every prompt distinct so the server's output cache never answers for it. */
function prompt(color: number) {
	return {
		'1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
		'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'bench/dispatch' } }
	};
}

/** Items per second for ITEMS prompts POSTed one after another, until the socket saw every one succeed. */
async function rawLoop(sim: Sim, offset: number): Promise<number> {
	const socket = await openSocket(sim.url, { clientId: `raw-${offset}` });
	const started = performance.now();
	for (let i = 0; i < ITEMS; i++) {
		await postJson(`${sim.url}/prompt`, { prompt: prompt(offset + i), client_id: `raw-${offset}` });
	}
	await socket.waitFor((f) => f.filter((x) => x.type === 'execution_success').length >= ITEMS, 120_000);
	const seconds = (performance.now() - started) / 1000;
	await socket.close();
	return ITEMS / seconds;
}

/** Items per second through the browser queue (no token-bucket limit), and the CPU time per item. */
async function dispatched(
	sim: Sim,
	offset: number,
	maxInFlight: number
): Promise<{ rate: number; cpuMs: number }> {
	const client = createComfyClient({
		baseUrl: sim.url,
		WebSocket: WebSocket as unknown as WebSocketConstructor,
		clientIdChannel: null,
		logLevel: 'warn'
	});
	const health: ServerHealth = { socket: client.socket.state };
	let refresh = () => {};
	client.socket.subscribe((event) => {
		if (event.type === 'state') health.socket = event.state;
		if (event.type === 'status') health.queueLength = event.data.status?.exec_info.queue_remaining;
		refresh();
	});
	const objectInfo = await client.api.getObjectInfo();
	const capabilities = capabilitiesOf({ objectInfo });
	while (health.socket !== 'open') await new Promise((r) => setTimeout(r, 10));
	const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `i${i}`, workflow: prompt(offset + i) }));
	const cpu = process.cpuUsage();
	const started = performance.now();
	const dispatcher = createDispatcher({
		servers: () => [
			{
				id: 'sim',
				name: 'Simulator',
				jobs: client.jobs,
				snapshot: () => ({ health: { ...health }, capabilities })
			}
		],
		initial: addItems(emptyQueue(), { items, now: Date.now() }).state,
		objectInfo: () => objectInfo,
		bucket: { ratePerSecond: Infinity, burst: 1 },
		maxInFlight
	});
	refresh = () => dispatcher.refresh();
	await dispatcher.idle();
	const seconds = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	dispatcher.close();
	await client.close();
	return { rate: ITEMS / seconds, cpuMs: (used.user + used.system) / 1000 / ITEMS };
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length / 2;
	return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

export async function run() {
	const sim = await startSimulatorProcess();
	const raw: number[] = [];
	const queue: number[] = [];
	const wider: number[] = [];
	const cpu: number[] = [];
	try {
		// Alternate, so a slow spell of a shared machine hits both sides.
		for (let round = 0; round < ROUNDS; round++) {
			raw.push(await rawLoop(sim, 10_000 * (3 * round + 1)));
			const d = await dispatched(sim, 10_000 * (3 * round + 2), 2);
			queue.push(d.rate);
			cpu.push(d.cpuMs);
			wider.push((await dispatched(sim, 10_000 * (3 * round + 3), 4)).rate);
		}
	} finally {
		sim.child.kill('SIGTERM');
	}
	return [
		{ name: 'raw fetch loop', value: median(raw), unit: 'items/s', better: 'higher' as const },
		{ name: 'browser queue, 2 in flight', value: median(queue), unit: 'items/s', better: 'higher' as const },
		{ name: 'browser queue, 4 in flight', value: median(wider), unit: 'items/s', better: 'higher' as const },
		{
			name: 'queue (4 in flight) / raw',
			value: median(wider) / median(raw),
			unit: '×',
			better: 'higher' as const
		},
		{
			name: 'queue (2 in flight, default) / raw',
			value: median(queue) / median(raw),
			unit: '×',
			target: 0.95,
			better: 'higher' as const
		},
		{ name: 'client CPU per item (dispatcher, tracker, socket)', value: median(cpu), unit: 'ms' }
	];
}
