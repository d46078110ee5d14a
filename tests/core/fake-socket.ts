/**
 * A scriptable in-memory WebSocket for tests of the session under fake timers: the test plays the server
 * (accept, send frames, drop) and sees what the client sent.
 */
import type { SessionEnvironment, WebSocketConstructor, WebSocketLike } from '../../src/lib/comfy/socket';

type Listener = (event: unknown) => void;

export class FakeWebSocket implements WebSocketLike {
	readyState = 0;
	binaryType = 'blob';
	readonly sent: string[] = [];
	closeCalls = 0;
	readonly #listeners = new Map<string, Listener[]>();

	constructor(
		readonly url: string,
		private readonly server: FakeSocketServer
	) {}

	addEventListener(type: string, listener: (event: never) => void): void {
		this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener as Listener]);
	}

	send(data: string): void {
		if (this.readyState !== 1) throw new Error('send on a socket that is not open');
		this.sent.push(data);
	}

	close(code = 1000, reason = ''): void {
		this.closeCalls++;
		if (this.readyState >= 2) return;
		this.readyState = 2;
		if (this.server.ackCloses) setTimeout(() => this.finish(code, reason), 0);
	}

	/** Server side: complete the handshake. */
	accept(): this {
		this.readyState = 1;
		this.dispatch('open', {});
		return this;
	}

	/** Server side: send a frame (objects are sent as JSON text). */
	receive(data: string | object | Uint8Array): this {
		const payload =
			typeof data === 'string'
				? data
				: data instanceof Uint8Array
					? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
					: JSON.stringify(data);
		this.dispatch('message', { data: payload });
		return this;
	}

	/** Server side: greet like ComfyUI does on connect. */
	greet(queueRemaining = 0): this {
		const clientId = new URL(this.url).searchParams.get('clientId');
		return this.receive({
			type: 'status',
			data: { status: { exec_info: { queue_remaining: queueRemaining } }, sid: clientId }
		});
	}

	/** The connection dies (no close handshake). */
	drop(code = 1006): void {
		if (this.readyState === 3) return;
		this.readyState = 2;
		this.dispatch('error', {});
		this.finish(code, '');
	}

	/** A connection that never opened fails. */
	fail(): void {
		this.drop(1006);
	}

	/**
	 * A refused upgrade as Node 20's built-in WebSocket (undici) reports it: `error`, then nothing; no `close`, and
	 * it stays CONNECTING.
	 */
	failWithoutClose(): void {
		this.dispatch('error', {});
	}

	get clientId(): string | null {
		return new URL(this.url).searchParams.get('clientId');
	}

	private finish(code: number, reason: string) {
		if (this.readyState === 3) return;
		this.readyState = 3;
		this.dispatch('close', { code, reason });
	}

	private dispatch(type: string, event: unknown) {
		for (const listener of this.#listeners.get(type) ?? []) listener(event);
	}
}

/** Hands out FakeWebSockets and remembers them. */
export class FakeSocketServer {
	readonly sockets: FakeWebSocket[] = [];
	/** When false, `close()` never completes (a socket stuck closing). */
	ackCloses = true;
	readonly WebSocket: WebSocketConstructor;

	constructor() {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const server = this;
		this.WebSocket = class extends FakeWebSocket {
			constructor(url: string) {
				super(url, server);
				server.sockets.push(this);
			}
		};
	}

	get last(): FakeWebSocket {
		const socket = this.sockets.at(-1);
		if (!socket) throw new Error('no socket was opened');
		return socket;
	}

	/** Sockets not yet closed. */
	get live(): FakeWebSocket[] {
		return this.sockets.filter((s) => s.readyState < 3);
	}
}

/** A controllable network/visibility environment. */
export class FakeEnvironment implements SessionEnvironment {
	online = true;
	readonly #online = new Set<() => void>();
	readonly #visible = new Set<() => void>();

	isOnline(): boolean {
		return this.online;
	}
	onOnline(callback: () => void): () => void {
		this.#online.add(callback);
		return () => this.#online.delete(callback);
	}
	onVisible(callback: () => void): () => void {
		this.#visible.add(callback);
		return () => this.#visible.delete(callback);
	}
	goOffline(): void {
		this.online = false;
	}
	goOnline(): void {
		this.online = true;
		for (const callback of this.#online) callback();
	}
	becomeVisible(): void {
		for (const callback of this.#visible) callback();
	}
}
