/** A client wired to a ReplayServer through msw (HTTP and WebSocket), with fast test timings. */
import { setupServer } from 'msw/node';
import { WebSocket as NodeWebSocket } from 'ws';
import { createComfyClient, type ComfyClient, type ComfyClientOptions } from '../../src/lib/comfy/client';
import { createMemoryJobStore, type JobStore } from '../../src/lib/comfy/job-store';
import { FakeEnvironment } from './fake-socket';
import { ReplayServer, type ReplayServerOptions } from './replay-server';
import { loadTranscript, type TranscriptName } from './transcripts';

export const REPLAY_BASE = 'http://127.0.0.1:8188/';

// msw intercepts `globalThis.WebSocket`, which Node 20 does not have: give it one to wrap.
(globalThis as { WebSocket?: unknown }).WebSocket ??= NodeWebSocket;

type MswServer = ReturnType<typeof setupServer>;
let msw: MswServer | undefined;

/** The msw server of this test file, listening. */
export function startMsw(): MswServer {
	const server = msw ?? setupServer();
	msw = server;
	server.listen({ onUnhandledRequest: 'error' });
	return server;
}

export interface ReplayHarness {
	server: ReplayServer;
	client: ComfyClient;
	store: JobStore;
	environment: FakeEnvironment;
	/** Opens a second client on the same store (a reload of the page). */
	reload(): ComfyClient;
	close(): Promise<void>;
}

export function replay(
	name: TranscriptName,
	options: { server?: Partial<ReplayServerOptions>; client?: Partial<ComfyClientOptions> } = {}
): ReplayHarness {
	if (!msw) throw new Error('call startMsw() first');
	const server = new ReplayServer({
		baseUrl: REPLAY_BASE,
		transcript: loadTranscript(name),
		...options.server
	});
	msw.resetHandlers(...server.handlers);
	const store = options.client?.jobStore ?? createMemoryJobStore();
	const environment = new FakeEnvironment();
	const clients: ComfyClient[] = [];
	const make = () => {
		const map = new Map<string, string>();
		const client = createComfyClient({
			baseUrl: REPLAY_BASE,
			jobStore: store,
			environment,
			clientIdChannel: null,
			clientIdStorage: { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) },
			retries: 1,
			socket: {
				backoff: { baseMs: 20, capMs: 200, floorMs: 10 },
				statusTimeoutMs: 2000,
				closeTimeoutMs: 200
			},
			jobs: { checkAfterMs: 400, pollMs: 40, submitBackoff: { baseMs: 20, capMs: 100, floorMs: 10 } },
			...options.client
		});
		clients.push(client);
		return client;
	};
	const client = make();
	return {
		server,
		client,
		store,
		environment,
		reload: make,
		async close() {
			server.close();
			await Promise.all(clients.map((c) => c.close()));
		}
	};
}
