/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One log line, as the UI shows it. */
export interface LogEntry {
	/** Increasing number, unique per logger. */
	seq: number;
	/** Epoch milliseconds. */
	time: number;
	level: LogLevel;
	/** Which part of the core wrote it: `http`, `socket`, `jobs`, … */
	scope: string;
	message: string;
	data?: unknown;
}

/** A bounded, subscribable log. */
export interface Logger {
	readonly level: LogLevel;
	setLevel(level: LogLevel): void;
	debug(scope: string, message: string, data?: unknown): void;
	info(scope: string, message: string, data?: unknown): void;
	warn(scope: string, message: string, data?: unknown): void;
	error(scope: string, message: string, data?: unknown): void;
	/** The kept entries, oldest first. */
	entries(): LogEntry[];
	/** Calls `listener` with every new entry; returns the unsubscribe function. */
	subscribe(listener: (entry: LogEntry) => void): () => void;
	clear(): void;
}

/**
 * Creates a logger that keeps the last `capacity` entries at `level` or above in a ring buffer. Listener errors
 * are swallowed: logging must never break the caller.
 */
export function createLogger(options: { level?: LogLevel; capacity?: number } = {}): Logger {
	const capacity = Math.max(1, options.capacity ?? 500);
	let level: LogLevel = options.level ?? 'info';
	const ring: (LogEntry | undefined)[] = new Array(capacity);
	let next = 0;
	let count = 0;
	let seq = 0;
	const listeners = new Set<(entry: LogEntry) => void>();

	const write = (entryLevel: LogLevel, scope: string, message: string, data?: unknown) => {
		if (RANK[entryLevel] < RANK[level]) return;
		const entry: LogEntry = { seq: ++seq, time: Date.now(), level: entryLevel, scope, message };
		if (data !== undefined) entry.data = data;
		ring[next] = entry;
		next = (next + 1) % capacity;
		count = Math.min(count + 1, capacity);
		for (const listener of listeners) {
			try {
				listener(entry);
			} catch {
				// A broken listener must not break the code that logs.
			}
		}
	};

	return {
		get level() {
			return level;
		},
		setLevel(nextLevel) {
			level = nextLevel;
		},
		debug: (scope, message, data) => write('debug', scope, message, data),
		info: (scope, message, data) => write('info', scope, message, data),
		warn: (scope, message, data) => write('warn', scope, message, data),
		error: (scope, message, data) => write('error', scope, message, data),
		entries() {
			const out: LogEntry[] = [];
			for (let i = 0; i < count; i++) {
				const entry = ring[(next - count + i + capacity) % capacity];
				if (entry) out.push(entry);
			}
			return out;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		clear() {
			ring.fill(undefined);
			next = 0;
			count = 0;
		}
	};
}
