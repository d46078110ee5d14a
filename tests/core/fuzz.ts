/**
 * A small seeded fuzzer: random bytes, random JSON and mutations of recorded values, all from one seed, so a
 * failure names its seed and case number and replays exactly (`FUZZ_SEED=… npx vitest run …`).
 *
 * Hand-written rather than fast-check: the generators needed here are ten lines each, they run 10^5 cases in about
 * a second, and it keeps a dependency (and a lockfile change) out of a package several people edit at once.
 */

/** mulberry32: a fast 32-bit PRNG; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
	let state = seed | 0;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The seed of this run: FUZZ_SEED when set, else a fixed one (CI stays deterministic). */
export function fuzzSeed(fallback: number): number {
	const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
	const fromEnv = Number(env?.['FUZZ_SEED']);
	return Number.isInteger(fromEnv) && env?.['FUZZ_SEED'] ? fromEnv : fallback;
}

export class Fuzzer {
	readonly random: () => number;

	constructor(readonly seed: number) {
		this.random = seededRandom(seed);
	}

	int(maxExclusive: number): number {
		return Math.floor(this.random() * maxExclusive);
	}

	pick<T>(items: readonly T[]): T {
		const item = items[this.int(items.length)];
		if (item === undefined) throw new Error('pick from an empty list');
		return item;
	}

	bytes(length: number): Uint8Array<ArrayBuffer> {
		const out = new Uint8Array(length);
		for (let i = 0; i < length; i++) out[i] = this.int(256);
		return out;
	}

	/** Strings that break naive code: empty, huge, control characters, lone surrogates, markup, keys of Object. */
	string(): string {
		switch (this.int(8)) {
			case 0:
				return '';
			case 1:
				return this.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
			case 2:
				return '<img src=x onerror=alert(1)>';
			case 3:
				return '\ud800\u0000\u202e' + 'x'.repeat(this.int(4));
			case 4:
				return 'a'.repeat(this.int(2000));
			default: {
				let s = '';
				const length = this.int(12);
				for (let i = 0; i < length; i++) s += String.fromCharCode(this.int(0x3000));
				return s;
			}
		}
	}

	number(): number {
		return this.pick([0, -1, 1, 0.5, -0, 2 ** 53, -(2 ** 31), 1e308, Number.MIN_VALUE, this.int(1000)]);
	}

	/** Random JSON (what JSON.parse can produce), at most `depth` levels deep. */
	json(depth = 3): unknown {
		const kind = this.int(depth > 0 ? 7 : 5);
		switch (kind) {
			case 0:
				return null;
			case 1:
				return this.random() < 0.5;
			case 2:
				return this.number();
			case 3:
			case 4:
				return this.string();
			case 5:
				return Array.from({ length: this.int(4) }, () => this.json(depth - 1));
			default: {
				const out: Record<string, unknown> = {};
				const keys = this.int(4);
				for (let i = 0; i < keys; i++) out[this.string().slice(0, 20)] = this.json(depth - 1);
				return out;
			}
		}
	}

	/**
	 * A mutation of `value`, keeping most of its shape: one to three edits, each replacing, deleting or retyping one
	 * node somewhere in the tree, or adding a key (sometimes `__proto__`). Works on a deep copy.
	 */
	mutate(value: unknown): unknown {
		let copy = structuredClone(value);
		const edits = 1 + this.int(3);
		for (let i = 0; i < edits; i++) copy = this.editAt(copy, 0);
		return copy;
	}

	private editAt(node: unknown, depth: number): unknown {
		const container = typeof node === 'object' && node !== null;
		// Stop here at random, or when there is nothing to descend into.
		if (!container || this.random() < 0.3 / (depth + 1)) {
			if (container && this.random() < 0.3) {
				const record = node as Record<string, unknown>;
				if (Array.isArray(record)) record.push(this.json(1));
				// defineProperty: `record.__proto__ = …` would set the prototype, not a key as JSON.parse does.
				else
					Object.defineProperty(record, this.pick(['__proto__', 'constructor', this.string()]), {
						value: this.json(2),
						enumerable: true,
						configurable: true,
						writable: true
					});
				return record;
			}
			return this.json(2);
		}
		const record = node as Record<string, unknown>;
		const keys = Object.keys(record);
		if (keys.length === 0) return this.json(2);
		const key = this.pick(keys);
		if (this.random() < 0.15) {
			delete record[key];
			return record;
		}
		record[key] = this.editAt(record[key], depth + 1);
		return record;
	}
}
