// Test-only controls: faults a real deployment produces (restarts, dropped sockets, 500s, slow networks,
// garbage frames, minutes-long model loads) on demand. In-process through `SimulatorControls`; in test mode
// also over HTTP as `POST /__sim/control {"action": …, …args}` so browser tests can drive them.
import type { RunRecord } from './prompt-worker';
import type { Simulator } from './simulator';

/** Controls exposed by `startSimulator()` (always) and by `POST /__sim/control` (test mode only). */
export interface SimulatorControls {
	/**
	 * Like a process restart: the queue, history, caches and temp files are emptied and every socket is cut
	 * (code 1006). With `downMs`, connections are refused for that long (simulated ms).
	 */
	restart(options?: { downMs?: number }): Promise<void>;
	/** Cuts the next `times` (default 1) matching sockets, open ones first, after `frames` more frames each. */
	dropSocketsAfter(options: { clientId?: string; frames: number; times?: number }): void;
	/**
	 * Answers the next `times` (default 1) requests to `path` (with or without /api) with `status`; with
	 * `html`, as the HTML error page a proxy (nginx) sends, without CORS headers.
	 */
	failRoute(options: { path: string; status?: number; times?: number; html?: boolean }): void;
	/** The next `times` (default 1) answers on `path` come `ms` simulated milliseconds late. */
	slowRoute(options: { path: string; ms: number; times?: number }): void;
	/** The next `times` (default 1) answers on `path` send their headers and half their body, then the connection is cut. */
	truncateRoute(options: { path: string; times?: number }): void;
	/**
	 * Refuses the next `times` (default 1) WebSocket upgrades with `status` (default 503), as a proxy in front of a
	 * busy or restarting server does; HTTP routes keep working.
	 */
	refuseUpgrades(options?: { times?: number; status?: number }): void;
	/** How many WebSocket upgrades were accepted and refused (by `refuseUpgrades`) since the start. */
	upgradeCounts(): { accepted: number; refused: number };
	/**
	 * The next prompt carries `text` where a server's text reaches a client: `node_errors` (its POST /prompt is
	 * refused with one validation error per line of `text`), `execution_error` (its first node raises `text`, with a
	 * traceback naming it) or `filename` (its SaveImage files are named after `text`, path separators replaced).
	 */
	hostileText(options: { text: string; where: 'node_errors' | 'execution_error' | 'filename' }): void;
	/** Delays every WebSocket frame by `ms` simulated milliseconds, keeping the order. */
	delayMessages(options: { ms: number }): void;
	/** Sends malformed text and binary frames to the matching sockets (all when no clientId). */
	injectMalformedFrames(options?: { clientId?: string }): number;
	/** Every model load from now on takes `ms` more simulated milliseconds, without a single message. */
	slowModelLoad(options: { ms: number }): void;
	/**
	 * Samplers step at `fps` a second of real time (whatever the time scale and model), cycling `frames`
	 * (default 8) previews encoded once: a steady stream of full-size previews for benchmarks. `fps` 0 = off.
	 */
	previewStream(options: { fps: number; frames?: number }): void;
	/**
	 * Every prompt the server started, in order, with how it ended (`cut` by a restart or a stop), kept across
	 * restarts: how a test proves nothing ran twice.
	 */
	runs(): RunRecord[];
	/** Turns every control off (does not restart). */
	reset(): void;
}

export function createControls(sim: Simulator): SimulatorControls {
	return {
		async restart(options = {}) {
			sim.restart();
			const downMs = (options.downMs ?? 0) * sim.timeScale;
			if (downMs > 0) {
				sim.down = true;
				await new Promise((resolve) => setTimeout(resolve, downMs));
				sim.down = false;
			}
		},
		dropSocketsAfter(options) {
			sim.hub.dropAfter(options);
		},
		failRoute(options) {
			sim.failRules.push({
				path: routePath(options.path),
				kind: options.html ? 'html' : 'status',
				status: options.status ?? (options.html ? 502 : 500),
				delayMs: 0,
				remaining: options.times ?? 1
			});
		},
		slowRoute(options) {
			sim.failRules.push({
				path: routePath(options.path),
				kind: 'slow',
				status: 200,
				delayMs: Math.max(0, options.ms) * sim.timeScale,
				remaining: options.times ?? 1
			});
		},
		truncateRoute(options) {
			sim.failRules.push({
				path: routePath(options.path),
				kind: 'truncate',
				status: 200,
				delayMs: 0,
				remaining: options.times ?? 1
			});
		},
		refuseUpgrades(options = {}) {
			sim.upgradeRefusal = { status: options.status ?? 503, remaining: Math.max(0, options.times ?? 1) };
		},
		upgradeCounts() {
			return { ...sim.upgradeCounts };
		},
		hostileText(options) {
			if (options.where === 'node_errors') sim.hostile.nodeErrors = options.text;
			else if (options.where === 'execution_error') sim.hostile.executionError = options.text;
			else sim.hostile.filenamePrefix = options.text.replace(/[/\\]/g, '_');
		},
		delayMessages(options) {
			sim.hub.setDelay(options.ms);
		},
		injectMalformedFrames(options = {}) {
			return sim.hub.injectMalformed(options.clientId);
		},
		slowModelLoad(options) {
			sim.slowModelLoadSeconds = Math.max(0, options.ms) / 1000;
		},
		previewStream(options) {
			const frames = Math.max(1, Math.trunc(options.frames ?? 8));
			sim.previewStream = options.fps > 0 ? { fps: options.fps, frames } : null;
		},
		runs() {
			return sim.worker.runs.map((run) => ({ ...run }));
		},
		reset() {
			sim.previewStream = null;
			sim.hub.resetControls();
			sim.failRules = [];
			sim.upgradeRefusal = null;
			sim.hostile = { nodeErrors: null, executionError: null, filenamePrefix: null };
			sim.slowModelLoadSeconds = 0;
			sim.down = false;
		}
	};
}

function routePath(path: string): string {
	return path.startsWith('/') ? path : `/${path}`;
}

function num(value: unknown, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`"${name}" must be a number`);
	return value;
}

function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** Runs one `POST /__sim/control` body; returns what to answer. */
export async function runControl(
	controls: SimulatorControls,
	body: Record<string, unknown>
): Promise<unknown> {
	switch (body['action']) {
		case 'restart':
			await controls.restart({ downMs: typeof body['downMs'] === 'number' ? body['downMs'] : 0 });
			return { ok: true };
		case 'dropSockets':
		case 'dropSocketsAfter':
			controls.dropSocketsAfter({
				clientId: optionalString(body['clientId']),
				frames: num(body['frames'] ?? 0, 'frames'),
				times: typeof body['times'] === 'number' ? body['times'] : undefined
			});
			return { ok: true };
		case 'failRoute':
			controls.failRoute({
				path: String(body['path'] ?? ''),
				status: typeof body['status'] === 'number' ? body['status'] : undefined,
				times: typeof body['times'] === 'number' ? body['times'] : undefined,
				html: body['html'] === true
			});
			return { ok: true };
		case 'slowRoute':
			controls.slowRoute({
				path: String(body['path'] ?? ''),
				ms: num(body['ms'], 'ms'),
				times: typeof body['times'] === 'number' ? body['times'] : undefined
			});
			return { ok: true };
		case 'truncateRoute':
			controls.truncateRoute({
				path: String(body['path'] ?? ''),
				times: typeof body['times'] === 'number' ? body['times'] : undefined
			});
			return { ok: true };
		case 'refuseUpgrades':
			controls.refuseUpgrades({
				times: typeof body['times'] === 'number' ? body['times'] : undefined,
				status: typeof body['status'] === 'number' ? body['status'] : undefined
			});
			return { ok: true };
		case 'upgradeCounts':
			return { ok: true, ...controls.upgradeCounts() };
		case 'hostileText': {
			const where = body['where'];
			if (where !== 'node_errors' && where !== 'execution_error' && where !== 'filename')
				throw new Error('"where" must be node_errors, execution_error or filename');
			controls.hostileText({ text: String(body['text'] ?? ''), where });
			return { ok: true };
		}
		case 'delayMessages':
			controls.delayMessages({ ms: num(body['ms'], 'ms') });
			return { ok: true };
		case 'injectMalformedFrames':
			return {
				ok: true,
				sockets: controls.injectMalformedFrames({ clientId: optionalString(body['clientId']) })
			};
		case 'slowModelLoad':
			controls.slowModelLoad({ ms: num(body['ms'], 'ms') });
			return { ok: true };
		case 'previewStream':
			controls.previewStream({
				fps: num(body['fps'], 'fps'),
				frames: typeof body['frames'] === 'number' ? body['frames'] : undefined
			});
			return { ok: true };
		case 'runs':
			return { ok: true, runs: controls.runs() };
		case 'reset':
			controls.reset();
			return { ok: true };
		default:
			throw new Error(
				`unknown action ${JSON.stringify(body['action'])}: use restart, dropSockets, failRoute, slowRoute, truncateRoute, refuseUpgrades, upgradeCounts, hostileText, delayMessages, injectMalformedFrames, slowModelLoad, previewStream, runs or reset`
			);
	}
}
