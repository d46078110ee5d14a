// The HTTP and WebSocket front of the simulator: reads requests, applies ComfyUI's middlewares (CORS headers
// with --enable-cors-header, the Origin check without), routes, and writes replies with aiohttp's headers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { runControl, type SimulatorControls } from './controls';
import { empty, HandlerCrash, internalError, json, raisedStatus, type SimReply } from './http-kit';
import { corsHeaders, originRefused } from './origin-check';
import { Router } from './router';
import { fileRoutes } from './routes-files';
import { infoRoutes } from './routes-info';
import { queueRoutes } from './routes-queue';
import type { Simulator } from './simulator';

const SERVER_HEADER = 'Python/3.11 aiohttp/3.14.3';
const UPGRADE_REASONS: Record<number, string> = {
	403: 'Forbidden',
	404: 'Not Found',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Time-out'
};
const MAX_BODY = 100 * 1024 * 1024 + 64 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | null> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY) chunks.push(chunk);
		});
		req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function write(res: ServerResponse, reply: SimReply, head: boolean): void {
	const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
	const headers: Record<string, string> = { ...reply.headers };
	headers['Content-Length'] = String(body.length);
	headers['Date'] = new Date().toUTCString();
	headers['Server'] = SERVER_HEADER;
	res.writeHead(reply.status, headers);
	res.end(head ? undefined : body);
}

/** Headers promising the whole body, half of it, then a cut connection (a proxy or server dying mid-answer). */
function writeTruncated(res: ServerResponse, reply: SimReply): void {
	const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
	res.writeHead(reply.status, {
		...reply.headers,
		'Content-Length': String(body.length),
		Date: new Date().toUTCString(),
		Server: SERVER_HEADER
	});
	res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

/** What nginx sends when the ComfyUI behind it is down: HTML, no CORS headers (`raised`). */
function proxyErrorPage(status: number): SimReply {
	const reason = UPGRADE_REASONS[status] ?? 'Error';
	return {
		status,
		raised: true,
		headers: { 'Content-Type': 'text/html', 'X-Simulated-Proxy': 'nginx' },
		body: `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n`
	};
}

function decodePath(url: URL): string {
	try {
		return decodeURIComponent(url.pathname);
	} catch {
		return url.pathname;
	}
}

async function controlReply(
	sim: Simulator,
	controls: SimulatorControls,
	method: string,
	body: Buffer
): Promise<SimReply> {
	// The control endpoint is a test backdoor: reachable from any origin, never subject to the Origin check.
	const allow = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Content-Type' };
	if (!sim.testMode) return raisedStatus(404);
	if (method === 'OPTIONS') return { status: 200, headers: allow };
	if (method !== 'POST') return raisedStatus(405);
	try {
		const data = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
		const reply = json(await runControl(controls, data));
		return { ...reply, headers: { ...reply.headers, ...allow } };
	} catch (error) {
		const reply = json({ ok: false, error: error instanceof Error ? error.message : String(error) }, 400);
		return { ...reply, headers: { ...reply.headers, ...allow } };
	}
}

/** Creates the HTTP server (not yet listening) for a simulator. */
export function createSimServer(sim: Simulator, controls: SimulatorControls): Server {
	const router = new Router([...infoRoutes(sim), ...queueRoutes(sim), ...fileRoutes(sim)], (req) =>
		sim.staticRoot.file(req)
	);
	const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		if (sim.down) {
			req.socket.destroy();
			return;
		}
		const url = new URL(req.url ?? '/', 'http://simulator');
		const method = req.method ?? 'GET';
		const rawPath = decodePath(url);
		const body = await readBody(req);
		if (rawPath === '/__sim/control') {
			write(res, await controlReply(sim, controls, method, body ?? Buffer.alloc(0)), false);
			return;
		}
		let reply: SimReply | null = null;
		if (body === null) reply = raisedStatus(413);
		let failure = reply ? null : sim.takeFailRule(rawPath);
		if (failure?.kind === 'slow') {
			await new Promise((resolve) => setTimeout(resolve, failure?.delayMs ?? 0));
			if (res.destroyed) return;
			failure = null;
		}
		const truncate = failure?.kind === 'truncate';
		if (failure?.kind === 'html') reply = proxyErrorPage(failure.status);
		else if (failure?.kind === 'status') {
			reply =
				failure.status === 500
					? { ...internalError(), raised: false }
					: {
							status: failure.status,
							headers: { 'Content-Type': 'text/plain; charset=utf-8' },
							body: `${failure.status}: simulated failure`
						};
		}
		if (!reply && sim.cors === null && (await originRefused(req.headers.host, req.headers.origin))) {
			reply = empty(403);
			write(res, reply, method === 'HEAD');
			return;
		}
		if (!reply && method === 'OPTIONS') reply = empty(200);
		if (!reply) {
			try {
				reply = await router.handle({
					method,
					rawPath,
					query: url.searchParams,
					headers: req.headers,
					body: body ?? Buffer.alloc(0)
				});
			} catch (error) {
				if (!(error instanceof HandlerCrash))
					sim.log(`simulator: handler error on ${method} ${rawPath}: ${String(error)}`);
				reply = internalError();
			}
		}
		if (sim.cors !== null && !reply.raised)
			reply = { ...reply, headers: { ...reply.headers, ...corsHeaders(sim.cors) } };
		// ComfyUI's cache_control middleware.
		if (!reply.raised && /\.(js|css)$|index\.json$/.test(rawPath) && !reply.headers?.['Cache-Control']) {
			reply = { ...reply, headers: { ...reply.headers, 'Cache-Control': 'no-cache' } };
		}
		if (truncate) writeTruncated(res, reply);
		else write(res, reply, method === 'HEAD');
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			sim.log(`simulator: ${String(error)}`);
			if (!res.headersSent) write(res, internalError(), false);
		});
	});

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		void (async () => {
			if (sim.down) {
				socket.destroy();
				return;
			}
			const url = new URL(req.url ?? '/', 'http://simulator');
			const path = Router.routePath(decodePath(url));
			const refuse = (status: number) => {
				const reason = UPGRADE_REASONS[status] ?? 'Error';
				socket.end(
					`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nDate: ${new Date().toUTCString()}\r\nServer: ${SERVER_HEADER}\r\n\r\n`
				);
			};
			if (path !== '/ws') return refuse(404);
			if (sim.cors === null && (await originRefused(req.headers.host, req.headers.origin)))
				return refuse(403);
			const refusal = sim.takeUpgradeRefusal();
			if (refusal !== null) return refuse(refusal);
			sim.upgradeCounts.accepted += 1;
			wss.handleUpgrade(req, socket, head, (ws) => sim.hub.accept(ws, url.searchParams.get('clientId')));
		})();
	});
	server.on('close', () => wss.close());
	return server;
}
