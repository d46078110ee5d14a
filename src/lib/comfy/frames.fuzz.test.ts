/**
 * Fuzzing what a server (or anything pretending to be one) can send: the binary frame decoder, the message schemas
 * and the socket's frame handling. 10^5 cases from a fixed seed; `FUZZ_SEED=n` replays or explores another run.
 * Each failure message names the seed and the case.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeEnvironment, FakeSocketServer } from '../../../tests/core/fake-socket';
import { Fuzzer, fuzzSeed } from '../../../tests/core/fuzz';
import {
	binaryFrame,
	concat,
	loadTranscript,
	TRANSCRIPTS,
	u32,
	type RecordedBinarySummary
} from '../../../tests/core/transcripts';
import { decodeBinaryFrame, MalformedFrameError } from './binary-frames';
import { createLogger } from './logger';
import { safeParseWith, wsDataSchemas } from './schemas';
import { createComfySocket, type SocketEvent } from './socket';

type AnySchema = Parameters<typeof safeParseWith<unknown>>[0];

const SEED = fuzzSeed(20261207);
// About 3 s of CPU for the whole file; the margin is for a CI machine shared with other jobs.
const TIMEOUT = { timeout: 60_000 };

const textFrames: { type: string; data: unknown }[] = [];
const binaryFrames: Uint8Array<ArrayBuffer>[] = [];
for (const name of TRANSCRIPTS) {
	for (const entry of loadTranscript(name).timeline) {
		if (entry.kind !== 'ws') continue;
		if (entry.frame === 'text') textFrames.push(entry.json);
		// The header and the start of the image are what a decoder reads; whole previews would only cost copying.
		else binaryFrames.push(binaryFrame(entry.binary as RecordedBinarySummary).slice(0, 400));
	}
}

/** Object.prototype's keys, to prove no input wrote onto it. */
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join();
let keysBefore = '';
beforeAll(() => {
	keysBefore = prototypeKeys();
});
afterAll(() => {
	expect(prototypeKeys()).toBe(keysBefore);
	expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

/** A binary frame worth trying: pure noise, a known event type with a noisy body, or a damaged recording. */
function randomBinary(f: Fuzzer): Uint8Array<ArrayBuffer> {
	switch (f.int(4)) {
		case 0:
			return f.bytes(f.int(24));
		case 1: {
			// A known event type and a length field that may lie about what follows.
			const type = f.pick([1, 3, 4, 2, 0, 0xffffffff]);
			const length = f.pick([0, 1, 7, 0xffffffff, 0x7fffffff, f.int(64)]);
			return concat(u32(type), u32(length), f.bytes(f.int(48)));
		}
		case 2: {
			const json = new TextEncoder().encode(JSON.stringify(f.mutate({ node_id: '10', prompt_id: 'p' })));
			return concat(u32(4), u32(json.length), json, f.bytes(f.int(16)));
		}
		default: {
			const frame = f.pick(binaryFrames).slice();
			if (f.random() < 0.5) return frame.slice(0, f.int(frame.length + 1));
			for (let i = 0; i < 1 + f.int(4); i++) frame[f.int(frame.length)] = f.int(256);
			return frame;
		}
	}
}

/** A text frame worth trying: noise, random JSON, or a recorded frame mutated in shape. */
function randomText(f: Fuzzer): string {
	switch (f.int(5)) {
		case 0:
			return f.string();
		case 1:
			return JSON.stringify(f.json(4));
		case 2:
			return JSON.stringify({ type: f.pick(Object.keys(wsDataSchemas)), data: f.json(3) });
		default:
			return JSON.stringify(f.mutate(f.pick(textFrames)));
	}
}

function at(f: Fuzzer, i: number): string {
	return `seed ${f.seed}, case ${i}`;
}

// A plain check, not expect(): 10^5 expect() calls cost more than the code under test.
/** A socket opened on a fake server (fake timers must be on), with every event it emits. */
async function openSocket(logger?: ReturnType<typeof createLogger>) {
	const server = new FakeSocketServer();
	const socket = createComfySocket({
		baseUrl: 'http://127.0.0.1:8188/',
		WebSocket: server.WebSocket,
		environment: new FakeEnvironment(),
		logger,
		clientIdChannel: null,
		clientIdStorage: { getItem: () => null, setItem: () => undefined }
	});
	const events: SocketEvent[] = [];
	socket.subscribe((event) => events.push(event));
	socket.connect();
	await vi.advanceTimersByTimeAsync(0);
	return { server, socket, events, ws: server.last.accept().greet() };
}

function check(ok: boolean, f: Fuzzer, i: number, what: string): void {
	if (!ok) throw new Error(`${at(f, i)}: ${what}`);
}

describe('fuzz', () => {
	it('has recordings to mutate', () => {
		expect(textFrames.length).toBeGreaterThan(100);
		expect(binaryFrames.length).toBeGreaterThan(10);
	});

	it(
		'decodeBinaryFrame: 40,000 random and damaged frames give a frame, nothing, or a MalformedFrameError',
		TIMEOUT,
		() => {
			const f = new Fuzzer(SEED);
			const outcomes = { frame: 0, ignored: 0, malformed: 0 };
			for (let i = 0; i < 40_000; i++) {
				const bytes = randomBinary(f);
				try {
					const frame = decodeBinaryFrame(f.random() < 0.5 ? bytes : bytes.buffer);
					if (!frame) outcomes.ignored++;
					else {
						outcomes.frame++;
						check(
							frame.kind === 'text' ? typeof frame.text === 'string' : frame.blob instanceof Blob,
							f,
							i,
							'a frame of the wrong shape'
						);
					}
				} catch (error) {
					if (!(error instanceof MalformedFrameError))
						throw new Error(`${at(f, i)}: ${String(error)}`, { cause: error });
					outcomes.malformed++;
				}
			}
			// The generator reaches every outcome, so the test exercises each path of the decoder.
			expect(outcomes.frame).toBeGreaterThan(1000);
			expect(outcomes.ignored).toBeGreaterThan(1000);
			expect(outcomes.malformed).toBeGreaterThan(1000);
		}
	);

	it('message schemas: 40,000 mutated recorded frames parse or are refused, never throw', TIMEOUT, () => {
		const f = new Fuzzer(SEED + 1);
		let accepted = 0;
		let refused = 0;
		const schemas = Object.entries(wsDataSchemas);
		for (let i = 0; i < 40_000; i++) {
			const frame = f.mutate(f.pick(textFrames)) as { type?: unknown; data?: unknown } | null;
			const type = typeof frame?.type === 'string' ? frame.type : '';
			// Known types against their own schema; everything else against a random one.
			const schema = Object.hasOwn(wsDataSchemas, type)
				? wsDataSchemas[type as keyof typeof wsDataSchemas]
				: f.pick(schemas)[1];
			let result: ReturnType<typeof safeParseWith>;
			try {
				result = safeParseWith(schema as AnySchema, frame?.data);
			} catch (error) {
				throw new Error(`${at(f, i)}: ${String(error)} on ${JSON.stringify(frame)}`, { cause: error });
			}
			if (result.ok) {
				accepted++;
				check(typeof result.value === 'object', f, i, 'accepted a frame that is no object');
			} else {
				refused++;
				check(result.detail !== '', f, i, 'refused without saying why');
			}
		}
		expect(accepted).toBeGreaterThan(5000);
		expect(refused).toBeGreaterThan(5000);
	});

	it(
		'the socket: 20,000 random frames on an open session are ignored or emitted typed, and it stays open',
		TIMEOUT,
		async () => {
			vi.useFakeTimers();
			try {
				// Warnings for every ignored frame would be 20,000 log lines: keep errors only.
				const { server, socket, events, ws } = await openSocket(
					createLogger({ level: 'error', capacity: 50 })
				);
				expect(socket.state).toBe('open');
				const f = new Fuzzer(SEED + 2);
				for (let i = 0; i < 20_000; i++) {
					events.length = 0;
					try {
						ws.receive(f.random() < 0.35 ? randomBinary(f) : randomText(f));
					} catch (error) {
						throw new Error(`${at(f, i)}: the socket let ${String(error)} escape`, { cause: error });
					}
					for (const event of events) {
						const known = Object.hasOwn(wsDataSchemas, event.type);
						const schema = wsDataSchemas[event.type as keyof typeof wsDataSchemas];
						if (known && 'data' in event)
							check(
								safeParseWith(schema as AnySchema, event.data).ok,
								f,
								i,
								`emitted a ${event.type} its schema refuses`
							);
						if (event.type === 'preview') check(event.blob instanceof Blob, f, i, 'a preview without a Blob');
						if (event.type === 'progress_text')
							check(typeof event.text === 'string', f, i, 'progress text not a string');
					}
				}
				expect(socket.state).toBe('open');
				expect(server.sockets).toHaveLength(1);
				const closing = socket.close();
				await vi.advanceTimersByTimeAsync(10);
				await closing;
			} finally {
				vi.useRealTimers();
			}
		}
	);
});

describe('frames whose type names an Object member', () => {
	it('are custom messages, not a crash (found by the fuzzer: "constructor" found Object and threw)', async () => {
		vi.useFakeTimers();
		try {
			const { events, ws } = await openSocket();
			for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
				ws.receive(JSON.stringify({ type, data: { x: 1 } }));
			expect(
				events.filter((e) => e.type === 'custom').map((e) => e.type === 'custom' && e.messageType)
			).toEqual(['constructor', 'toString', '__proto__', 'hasOwnProperty']);
		} finally {
			vi.useRealTimers();
		}
	});
});
