// Helpers for the simulator's own tests: start/stop a simulator per test, open sockets that collect frames.
import { afterAll, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './index';

export interface Frame {
	/** `status`, `progress`, … or `binary:N` for binary event N. */
	type: string;
	data?: Record<string, unknown>;
	bytes?: Buffer;
	/** The text of a frame that is not a `{type, data}` message. */
	raw?: string;
}

/** A client socket that records every frame it receives. */
export interface TestSocket {
	ws: WebSocket;
	clientId: string | undefined;
	frames: Frame[];
	/** Resolves when `predicate` holds for the frames received so far (or rejects after `timeoutMs`). */
	waitFor(predicate: (frames: Frame[]) => boolean, timeoutMs?: number): Promise<Frame[]>;
	closed: Promise<number>;
	close(): Promise<void>;
}

export function decodeFrame(data: Buffer, isBinary: boolean): Frame {
	if (isBinary) return { type: `binary:${data.length >= 4 ? data.readUInt32BE(0) : -1}`, bytes: data };
	try {
		const message = JSON.parse(data.toString()) as { type?: unknown; data?: Record<string, unknown> };
		if (typeof message.type === 'string') return { type: message.type, data: message.data };
		return { type: 'text:untyped', data: message.data, raw: data.toString() };
	} catch {
		return { type: 'text:invalid', raw: data.toString() };
	}
}

export function openSocket(
	url: string,
	options: { clientId?: string; origin?: string } = {}
): Promise<TestSocket> {
	const wsUrl = `${url.replace(/^http/, 'ws')}/ws${options.clientId ? `?clientId=${options.clientId}` : ''}`;
	const ws = new WebSocket(wsUrl, { headers: options.origin ? { Origin: options.origin } : {} });
	const frames: Frame[] = [];
	const waiters = new Set<() => void>();
	ws.on('message', (data: Buffer, isBinary) => {
		frames.push(decodeFrame(data, isBinary));
		for (const wake of waiters) wake();
	});
	const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
	const socket: TestSocket = {
		ws,
		clientId: options.clientId,
		frames,
		closed,
		waitFor(predicate, timeoutMs = 5000) {
			return new Promise((resolve, reject) => {
				const check = () => {
					if (predicate(frames)) {
						waiters.delete(check);
						clearTimeout(timer);
						resolve(frames);
					}
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`timed out; frames so far: ${frames.map((f) => f.type).join(', ')}`));
				}, timeoutMs);
				waiters.add(check);
				check();
			});
		},
		async close() {
			if (ws.readyState === ws.CLOSED) return;
			ws.close();
			await closed;
		}
	};
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve(socket));
		ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
		ws.once('error', reject);
	});
}

/** Starts a quiet simulator; remember to close it. */
export function quietSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
	return startSimulator({ quiet: true, cors: '*', timeScale: 0.01, ...options });
}

/**
 * One quiet simulator for every test of the file: started before the first test, closed after the last. The
 * returned object stands for it (read `url` and `controls` inside tests and hooks, not at import time).
 */
export function useSimulator(options: SimulatorOptions = {}): RunningSimulator {
	let running: RunningSimulator | undefined;
	beforeAll(async () => {
		running = await quietSimulator(options);
	});
	afterAll(() => running?.close());
	return new Proxy({} as RunningSimulator, {
		get(_target, key) {
			if (!running) throw new Error('The simulator starts in beforeAll: use it inside tests and hooks.');
			const value: unknown = Reflect.get(running, key);
			return typeof value === 'function' ? value.bind(running) : value;
		}
	});
}

/** POSTs JSON and returns status and parsed body (or text). */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body)
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// not JSON: keep the text
	}
	return { status: res.status, body: parsed };
}

/** The standard model-free workflow of the transcripts: EmptyImage → ImageInvert → SaveImage. */
export function invertPrompt(prefix = 'test/invert', width = 64, height = 48): Record<string, unknown> {
	return {
		'1': { class_type: 'EmptyImage', inputs: { width, height, batch_size: 1, color: 3368652 } },
		'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
		'3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } }
	};
}
