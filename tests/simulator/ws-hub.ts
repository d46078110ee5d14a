// The WebSocket side of ComfyUI's PromptServer, with its exact clientId semantics: one socket per id in a
// dict, the newest socket of an id replaces the older (which then gets nothing, not even broadcasts), and
// whichever socket of the id closes first removes the id, leaving a newer socket deaf. Test controls
// (delays, drops, malformed frames) act on the frames as they leave.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { pyDumps } from './py-format';

export type QueueInfo = { exec_info: { queue_remaining: number } };

export interface HubOptions {
	/** `get_queue_info()` at the time a status is sent. */
	queueInfo: () => QueueInfo;
	/** The node to re-announce to a reconnecting client whose prompt is running, or null. */
	reconnectNode: (sid: string) => string | null;
	/** What the server answers to a `feature_flags` handshake. */
	serverFeatures: () => Record<string, unknown>;
	/** Multiplies control delays. */
	timeScale: number;
}

interface DropRule {
	clientId?: string;
	frames: number;
	remaining: number;
}

class SimSocket {
	featureFlags: Record<string, unknown> = {};
	firstMessage = true;
	framesLeftBeforeDrop: number | null = null;
	private readonly outbox: Array<{ due: number; data: string | Buffer }> = [];
	private timer: NodeJS.Timeout | null = null;

	constructor(
		readonly sid: string,
		readonly ws: WebSocket
	) {}

	send(data: string | Buffer, delayMs: number): void {
		if (delayMs <= 0 && this.outbox.length === 0) {
			this.write(data);
			return;
		}
		const last = this.outbox[this.outbox.length - 1]?.due ?? 0;
		this.outbox.push({ due: Math.max(Date.now() + delayMs, last), data });
		this.schedule();
	}

	private schedule(): void {
		if (this.timer || this.outbox.length === 0) return;
		const next = this.outbox[0];
		if (!next) return;
		this.timer = setTimeout(
			() => {
				this.timer = null;
				const now = Date.now();
				while (this.outbox.length > 0 && (this.outbox[0]?.due ?? 0) <= now) {
					const item = this.outbox.shift();
					if (item) this.write(item.data);
				}
				this.schedule();
			},
			Math.max(0, next.due - Date.now())
		);
	}

	private write(data: string | Buffer): void {
		if (this.ws.readyState !== this.ws.OPEN) return;
		this.ws.send(data);
		if (this.framesLeftBeforeDrop !== null) {
			this.framesLeftBeforeDrop -= 1;
			// A drop is a network cut: no close frame, the client sees code 1006.
			if (this.framesLeftBeforeDrop <= 0) this.ws.terminate();
		}
	}

	discard(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.outbox.length = 0;
	}
}

/** Frames that a robust client must survive: not JSON, wrong shapes, unknown and truncated binary events. */
export function malformedFrames(): Array<string | Buffer> {
	const u32 = (n: number) => {
		const b = Buffer.alloc(4);
		b.writeUInt32BE(n);
		return b;
	};
	return [
		'this is not json',
		'[1, 2, 3]',
		'{"data": {"status": {}}}',
		'{"type": "status"}',
		'{"type": "executing", "data": {"node": 42}}',
		'{"type": "simulator.unknown_event", "data": {"hello": "world"}}',
		Buffer.from([0x00, 0x01]),
		Buffer.concat([u32(99), Buffer.from('unknown binary event')]),
		Buffer.concat([u32(1), u32(1), Buffer.from('not a jpeg')]),
		Buffer.concat([u32(4), u32(5000), Buffer.from('{"node_id": ')]),
		Buffer.concat([u32(3), u32(200), Buffer.from('7')])
	];
}

/** All open sockets and ComfyUI's `sockets` dict (sid → newest socket). */
export class WsHub {
	private readonly sockets = new Map<string, SimSocket>();
	private readonly open = new Set<SimSocket>();
	private delayMs = 0;
	private dropRules: DropRule[] = [];

	constructor(private readonly options: HubOptions) {}

	/** Takes over a freshly upgraded socket, as ComfyUI's `websocket_handler` does. */
	accept(ws: WebSocket, clientId: string | null): void {
		let sid = clientId ?? '';
		if (sid) this.sockets.delete(sid);
		else sid = randomUUID().replace(/-/g, '');
		const socket = new SimSocket(sid, ws);
		this.sockets.set(sid, socket);
		this.open.add(socket);
		this.applyDropRules(socket);

		ws.on('message', (data, isBinary) => {
			if (isBinary) return;
			this.onText(socket, data.toString());
		});
		ws.on('close', () => {
			socket.discard();
			this.open.delete(socket);
			// ComfyUI pops the id whichever socket closes, even when a newer socket holds it now.
			this.sockets.delete(sid);
		});
		ws.on('error', () => undefined);

		this.sendTo(socket, pyDumps({ type: 'status', data: { status: this.options.queueInfo(), sid } }));
		const node = this.options.reconnectNode(sid);
		if (node !== null) this.sendTo(socket, pyDumps({ type: 'executing', data: { node } }));
	}

	private onText(socket: SimSocket, text: string): void {
		let data: unknown;
		try {
			data = JSON.parse(text);
		} catch {
			return; // logged as a warning by ComfyUI; the first-message window stays open
		}
		if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
		const message = data as { type?: unknown; data?: unknown };
		if (socket.firstMessage && message.type === 'feature_flags') {
			const flags = message.data;
			socket.featureFlags =
				typeof flags === 'object' && flags !== null ? (flags as Record<string, unknown>) : {};
			this.sendTo(socket, pyDumps({ type: 'feature_flags', data: this.options.serverFeatures() }));
		}
		socket.firstMessage = false;
	}

	private sendTo(socket: SimSocket, data: string | Buffer): void {
		socket.send(data, this.delayMs);
	}

	private targets(sid: string | null | undefined): SimSocket[] {
		if (sid === null || sid === undefined) return [...this.sockets.values()];
		const socket = this.sockets.get(sid);
		return socket ? [socket] : [];
	}

	/** `send_json(event, data, sid)`: to one client id, or to every registered socket when sid is null. */
	sendJson(type: string, data: unknown, sid: string | null | undefined): void {
		const text = pyDumps({ type, data });
		for (const socket of this.targets(sid)) this.sendTo(socket, text);
	}

	/** `send_bytes(event, payload, sid)`: a big-endian uint32 event type, then the payload. */
	sendBytes(eventType: number, payload: Buffer, sid: string | null | undefined): void {
		const head = Buffer.alloc(4);
		head.writeUInt32BE(eventType);
		const frame = Buffer.concat([head, payload]);
		for (const socket of this.targets(sid)) this.sendTo(socket, frame);
	}

	/** `feature_flags.supports_feature(sockets_metadata, sid, name)`. */
	supportsFeature(sid: string | null | undefined, name: string): boolean {
		if (sid === null || sid === undefined) return false;
		return this.sockets.get(sid)?.featureFlags[name] === true;
	}

	/** Number of open connections (registered or not). */
	openCount(): number {
		return this.open.size;
	}

	/** Cuts every connection without a close frame, as a process restart does. */
	terminateAll(): void {
		for (const socket of this.open) {
			socket.discard();
			socket.ws.terminate();
		}
		this.open.clear();
		this.sockets.clear();
	}

	/** Delays every frame from now on by `ms` simulated milliseconds (order kept). */
	setDelay(ms: number): void {
		this.delayMs = Math.max(0, ms * this.options.timeScale);
	}

	/** Cuts the next `times` matching sockets (open ones first) after `frames` more frames each. */
	dropAfter(rule: { clientId?: string; frames: number; times?: number }): void {
		const drop: DropRule = {
			clientId: rule.clientId,
			frames: Math.max(0, rule.frames),
			remaining: rule.times ?? 1
		};
		this.dropRules.push(drop);
		for (const socket of this.open) this.applyDropRules(socket);
	}

	private applyDropRules(socket: SimSocket): void {
		if (socket.framesLeftBeforeDrop !== null) return;
		for (const rule of this.dropRules) {
			if (rule.remaining <= 0) continue;
			if (rule.clientId !== undefined && rule.clientId !== socket.sid) continue;
			rule.remaining -= 1;
			socket.framesLeftBeforeDrop = rule.frames;
			if (rule.frames === 0) socket.ws.terminate();
			break;
		}
		this.dropRules = this.dropRules.filter((r) => r.remaining > 0);
	}

	/** Sends `malformedFrames()` to the matching open sockets (all when no clientId). */
	injectMalformed(clientId?: string): number {
		let count = 0;
		for (const socket of this.open) {
			if (clientId !== undefined && socket.sid !== clientId) continue;
			for (const frame of malformedFrames()) this.sendTo(socket, frame);
			count += 1;
		}
		return count;
	}

	/** Clears delays and pending drop rules. */
	resetControls(): void {
		this.delayMs = 0;
		this.dropRules = [];
		for (const socket of this.open) socket.framesLeftBeforeDrop = null;
	}
}
