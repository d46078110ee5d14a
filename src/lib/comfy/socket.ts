/**
 * One WebSocket session per server: feature-flags handshake, frame decoding, a typed event stream, and
 * reconnection with capped, jittered backoff that waits while offline and retries at once on `online` or when the
 * tab becomes visible. The old socket is always fully closed before a new one opens with the same client id.
 * What the session touches outside itself (the WebSocket API, network and tab signals, its URL) is in
 * socket-environment.ts.
 */
import { createBackoff, type BackoffOptions } from './backoff';
import { decodeBinaryFrame } from './binary-frames';
import { claimClientId, type ChannelLike, type ClientIdClaim, type StorageLike } from './client-id';
import type { ComfyEvent, ComfyEventListener, SocketState } from './events';
import { normalizeBaseUrl } from './http';
import type { Logger } from './logger';
import { browserEnvironment, socketUrl } from './socket-environment';
import type { SessionEnvironment, WebSocketConstructor, WebSocketLike } from './socket-environment';
import { safeParseWith, wsDataSchemas, zWsEnvelope, type Features, type WsMessage } from './schemas';
import { errorMessage } from '../util/error-message';

export * from './socket-environment';

export interface ComfySocketOptions {
	baseUrl: string;
	token?: string;
	WebSocket?: WebSocketConstructor;
	logger?: Logger;
	clientIdStorage?: StorageLike;
	/** Cross-tab channel for the duplicated-tab check; `null` turns it off. */
	clientIdChannel?: (() => ChannelLike) | null;
	environment?: SessionEnvironment;
	/** Reconnect delays (default 0.5 s doubling to 30 s, at least 250 ms, full jitter). */
	backoff?: BackoffOptions;
	/** A socket that gets no `status` this long after opening is deaf: reconnect with a fresh id. Default 5 s. */
	statusTimeoutMs?: number;
	/** How long to wait for a closing socket to report closed. Default 2 s. */
	closeTimeoutMs?: number;
	/** A socket still not open this long after it was created (an upgrade nobody answers) is given up. Default 10 s. */
	connectTimeoutMs?: number;
	/** Flags sent in the handshake (default: previews with metadata). */
	featureFlags?: Record<string, unknown>;
}

/** A resume signal for job reconciliation: the tab became visible or the browser came online. */
export interface ResumeEvent {
	type: 'resume';
	reason: 'visible' | 'online';
}

export type SocketEvent = ComfyEvent | ResumeEvent;

/** The WebSocket session of one server. */
export interface ComfySocket {
	readonly state: SocketState;
	readonly clientId: string;
	/** The server's `feature_flags` reply, once received. */
	readonly serverFeatures: Features | undefined;
	/** Listens to every event; returns the unsubscribe function. */
	subscribe(listener: (event: SocketEvent) => void): () => void;
	/** Opens the session (no-op when already open or opening). */
	connect(): void;
	/** Drops the current socket and opens a new one (optionally with a fresh client id). */
	reconnect(options?: { renewClientId?: boolean }): void;
	/** Closes for good (until `connect()`); resolves once the socket reported closed. */
	close(): Promise<void>;
}

export function createComfySocket(options: ComfySocketOptions): ComfySocket {
	const baseUrl = normalizeBaseUrl(options.baseUrl);
	const log = options.logger;
	const env = options.environment ?? browserEnvironment();
	const backoff = createBackoff({ baseMs: 500, capMs: 30_000, floorMs: 250, ...options.backoff });
	const statusTimeoutMs = options.statusTimeoutMs ?? 5_000;
	const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
	const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
	// A failing socket reports `error` and then `close` at once; this is how long the close may lag behind.
	const errorGraceMs = Math.min(closeTimeoutMs, 500);
	const listeners = new Set<(event: SocketEvent) => void>();
	const claim: ClientIdClaim = claimClientId({
		key: `comfy-deck:client-id:${baseUrl}`,
		storage: options.clientIdStorage,
		channel: options.clientIdChannel,
		onChange: (id) => log?.info('socket', `using client id ${id}`)
	});

	let state: SocketState = 'idle';
	let current: WebSocketLike | undefined;
	let stopped = true;
	let everConnected = false;
	let serverFeatures: Features | undefined;
	let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
	let statusTimer: ReturnType<typeof setTimeout> | undefined;
	let connectTimer: ReturnType<typeof setTimeout> | undefined;
	let opening = false;
	const closeWaiters = new Map<WebSocketLike, (() => void)[]>();
	const unsubscribeEnv: (() => void)[] = [];

	const emit = (event: SocketEvent) => {
		for (const listener of listeners) {
			try {
				listener(event);
			} catch (error) {
				log?.error('socket', `a listener threw on ${event.type}`, errorMessage(error));
			}
		}
	};
	const setState = (next: SocketState, reason?: string) => {
		if (next === state) return;
		state = next;
		log?.debug('socket', `state ${next}${reason ? ` (${reason})` : ''}`);
		emit(reason ? { type: 'state', state: next, reason } : { type: 'state', state: next });
	};

	const watchEnvironment = () => {
		if (unsubscribeEnv.length) return;
		unsubscribeEnv.push(
			env.onOnline(() => {
				emit({ type: 'resume', reason: 'online' });
				retryNow('online');
			}),
			env.onVisible(() => {
				emit({ type: 'resume', reason: 'visible' });
				retryNow('visible');
			})
		);
	};

	function retryNow(why: string) {
		if (stopped || (state !== 'reconnecting' && state !== 'offline')) return;
		log?.info('socket', `${why}: reconnecting now`);
		clearTimeout(reconnectTimer);
		reconnectTimer = undefined;
		void open();
	}

	function scheduleReconnect(reason: string) {
		if (stopped) return;
		clearTimeout(reconnectTimer);
		if (!env.isOnline()) {
			// Waiting costs nothing; `online` brings us back at once.
			setState('offline', reason);
			return;
		}
		const delay = backoff.next();
		log?.info('socket', `connection lost (${reason}); reconnecting in ${delay} ms`);
		setState('reconnecting', reason);
		reconnectTimer = setTimeout(() => {
			reconnectTimer = undefined;
			void open();
		}, delay);
	}

	async function open() {
		if (opening || stopped) return;
		opening = true;
		try {
			setState('connecting');
			await claim.ready;
			if (current) await closeSocket(current, 'replaced');
			if (stopped) return;
			const Ctor =
				options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
			if (!Ctor) {
				log?.error('socket', 'no WebSocket implementation here (pass one, e.g. from the "ws" package)');
				scheduleReconnect('no WebSocket implementation');
				return;
			}
			let ws: WebSocketLike;
			try {
				ws = new Ctor(socketUrl({ baseUrl, clientId: claim.clientId, token: options.token }));
			} catch (error) {
				scheduleReconnect(errorMessage(error));
				return;
			}
			ws.binaryType = 'arraybuffer';
			current = ws;
			attach(ws);
		} finally {
			opening = false;
		}
	}

	function attach(ws: WebSocketLike) {
		let greeted = false;
		clearTimeout(connectTimer);
		connectTimer = setTimeout(() => {
			if (ws !== current || ws.readyState !== 0) return;
			log?.warn('socket', `the upgrade got no answer within ${connectTimeoutMs} ms: giving this socket up`);
			abandon(ws, 'upgrade timed out');
		}, connectTimeoutMs);
		ws.addEventListener('open', () => {
			if (ws !== current) return;
			clearTimeout(connectTimer);
			// The handshake must be the first message, or the server ignores it.
			ws.send(
				JSON.stringify({
					type: 'feature_flags',
					data: options.featureFlags ?? { supports_preview_metadata: true }
				})
			);
			clearTimeout(statusTimer);
			statusTimer = setTimeout(() => {
				if (ws !== current || greeted) return;
				log?.warn(
					'socket',
					`no status within ${statusTimeoutMs} ms: the server ignores this client id, taking a new one`
				);
				claim.renew();
				void dropSocket(ws, 'deaf socket');
			}, statusTimeoutMs);
		});
		ws.addEventListener('message', (event: { data: unknown }) => {
			if (ws !== current) return;
			const message = decode(event.data);
			if (!message) return;
			if (!greeted && message.type === 'status') {
				greeted = true;
				clearTimeout(statusTimer);
				backoff.reset();
				setState('open');
				emit({ type: 'connected', clientId: claim.clientId, reconnect: everConnected });
				everConnected = true;
			}
			if (message.type === 'feature_flags') serverFeatures = message.data as Features;
			emit(message);
		});
		ws.addEventListener('error', () => {
			log?.debug('socket', 'socket error (a close follows)');
			// Node 20's built-in WebSocket (undici) reports a refused upgrade (a proxy's 503) with `error` only: no
			// `close`, and it stays CONNECTING. Waiting for that close kept the session down for good, every job
			// after it finishing by REST polling. Whatever follows an error, this socket is finished.
			setTimeout(() => {
				if (ws === current) abandon(ws, 'socket error without a close');
			}, errorGraceMs);
		});
		ws.addEventListener('close', (event: { code?: number; reason?: string }) => {
			onClosed(ws, `closed with code ${event.code ?? '?'}${event.reason ? ` ${event.reason}` : ''}`);
		});
	}

	function onClosed(ws: WebSocketLike, reason: string) {
		const waiters = closeWaiters.get(ws);
		closeWaiters.delete(ws);
		for (const resolve of waiters ?? []) resolve();
		if (ws !== current) return;
		current = undefined;
		clearTimeout(statusTimer);
		clearTimeout(connectTimer);
		if (stopped) {
			setState('closed', reason);
			return;
		}
		scheduleReconnect(reason);
	}

	/** Closes `ws` and resolves once it reported closed (or after the close timeout, treating it as closed). */
	function closeSocket(ws: WebSocketLike, reason: string): Promise<void> {
		return new Promise<void>((resolve) => {
			if (ws.readyState === 3) {
				onClosed(ws, reason);
				return resolve();
			}
			closeWaiters.set(ws, [...(closeWaiters.get(ws) ?? []), resolve]);
			try {
				ws.close(1000, reason);
			} catch {
				// Closing a socket that never opened can throw in some implementations: it is gone either way.
			}
			setTimeout(() => {
				if (closeWaiters.has(ws)) onClosed(ws, `${reason} (no close confirmation)`);
			}, closeTimeoutMs);
		});
	}

	/** Treats `ws` as closed now, whether or not it ever reports it (a later close event finds it no longer current). */
	function abandon(ws: WebSocketLike, reason: string) {
		try {
			ws.close(1000, reason);
		} catch {
			// Closing a socket that never opened can throw in some implementations: it is gone either way.
		}
		onClosed(ws, reason);
	}

	async function dropSocket(ws: WebSocketLike, reason: string) {
		await closeSocket(ws, reason);
	}

	function decode(data: unknown): SocketEvent | undefined {
		if (typeof data === 'string') {
			let json: unknown;
			try {
				json = JSON.parse(data);
			} catch {
				log?.warn('socket', 'ignored a text frame that is not JSON', data.slice(0, 200));
				return undefined;
			}
			const envelope = safeParseWith(zWsEnvelope, json);
			if (!envelope.ok) {
				log?.warn('socket', `ignored a malformed frame (${envelope.detail})`);
				return undefined;
			}
			const { type, data: payload } = envelope.value;
			// Own keys only: a frame typed "constructor" or "toString" would otherwise find Object's and throw.
			const schema = Object.hasOwn(wsDataSchemas, type)
				? wsDataSchemas[type as keyof typeof wsDataSchemas]
				: undefined;
			if (!schema) {
				log?.debug('socket', `custom message ${type}`);
				return { type: 'custom', messageType: type, data: payload };
			}
			const parsed = safeParseWith(schema as (typeof wsDataSchemas)[keyof typeof wsDataSchemas], payload);
			if (!parsed.ok) {
				log?.warn('socket', `ignored a malformed ${type} frame (${parsed.detail})`);
				return undefined;
			}
			return { type, data: parsed.value } as WsMessage;
		}
		if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
			try {
				const frame = decodeBinaryFrame(data);
				if (!frame) {
					log?.debug('socket', 'ignored a binary frame of an unknown type');
					return undefined;
				}
				if (frame.kind === 'text') return { type: 'progress_text', nodeId: frame.nodeId, text: frame.text };
				const { kind: _kind, ...preview } = frame;
				return { type: 'preview', ...preview };
			} catch (error) {
				log?.warn('socket', `ignored a malformed binary frame: ${errorMessage(error)}`);
				return undefined;
			}
		}
		log?.warn('socket', 'ignored a frame of unexpected kind (a Blob? binaryType must be arraybuffer)');
		return undefined;
	}

	return {
		get state() {
			return state;
		},
		get clientId() {
			return claim.clientId;
		},
		get serverFeatures() {
			return serverFeatures;
		},
		subscribe(listener: ComfyEventListener | ((event: SocketEvent) => void)) {
			const wrapped = listener as (event: SocketEvent) => void;
			listeners.add(wrapped);
			return () => listeners.delete(wrapped);
		},
		connect() {
			if (!stopped) return;
			stopped = false;
			watchEnvironment();
			void open();
		},
		reconnect(reconnectOptions = {}) {
			if (stopped) return;
			if (reconnectOptions.renewClientId) claim.renew();
			if (current) void dropSocket(current, 'reconnect requested');
			else retryNow('reconnect requested');
		},
		async close() {
			stopped = true;
			clearTimeout(reconnectTimer);
			clearTimeout(statusTimer);
			clearTimeout(connectTimer);
			for (const unsubscribe of unsubscribeEnv.splice(0)) unsubscribe();
			if (current) await closeSocket(current, 'closed by the app');
			setState('closed');
		}
	};
}
