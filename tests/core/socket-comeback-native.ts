/**
 * Runs the socket-comeback scenario with Node's built-in WebSocket (undici; Node 20 needs
 * `--experimental-websocket`) against the simulator at argv[2] and prints the report as JSON. Spawned by
 * socket-comeback.test.ts: the vitest workers run without the flag, and other tests rely on there being no global
 * WebSocket.
 */
import { createComfyClient, type WebSocketConstructor } from '../../src/lib/comfy/index';
import { socketComeback } from './socket-comeback';

const simUrl = process.argv[2];
const refusals = Number(process.argv[3] ?? 2);
const NativeWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
if (!simUrl || !NativeWebSocket) {
	console.error(
		'usage: node --experimental-websocket --import tsx socket-comeback-native.ts SIM_URL [REFUSALS]'
	);
	process.exit(2);
}
const client = createComfyClient({ baseUrl: simUrl, WebSocket: NativeWebSocket, clientIdChannel: null });
try {
	const report = await socketComeback({ client, simUrl, refusals });
	console.log(JSON.stringify(report));
} finally {
	await client.close();
}
