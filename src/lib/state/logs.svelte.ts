import { downloadText } from '$lib/util/download';
import type { LogEntry, LogLevel, Logger } from '$lib/comfy';

export const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One entry as a line of text: `2026-11-24 14:26:15.123 WARN  http  message {"data":1}`. */
export function formatLogEntry(entry: LogEntry): string {
	const d = new Date(entry.time);
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	const stamp =
		`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
		`${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
	const data = entry.data === undefined ? '' : ` ${formatLogData(entry.data)}`;
	return `${stamp} ${entry.level.toUpperCase().padEnd(5)} ${entry.scope.padEnd(6)} ${entry.message}${data}`;
}

/** Extra data of an entry as text: errors by name and message, the rest as JSON (never throws). */
export function formatLogData(data: unknown): string {
	if (data instanceof Error) return `${data.name}: ${data.message}`;
	if (typeof data === 'string') return data;
	try {
		return JSON.stringify(data) ?? String(data);
	} catch {
		return String(data);
	}
}

/** Whether an entry passes a minimum level and a search (in message, scope and data, any case). */
export function matchesLog(entry: LogEntry, o: { level: LogLevel; query: string }): boolean {
	if (RANK[entry.level] < RANK[o.level]) return false;
	const q = o.query.trim().toLowerCase();
	if (!q) return true;
	return (
		entry.message.toLowerCase().includes(q) ||
		entry.scope.toLowerCase().includes(q) ||
		(entry.data !== undefined && formatLogData(entry.data).toLowerCase().includes(q))
	);
}

/** The Logs view: the client's ring buffer, live, with a level filter, search, copy and download. */
export class LogsState {
	#entries = $state.raw<LogEntry[]>([]);
	/** The least severe level shown. */
	level = $state<LogLevel>('debug');
	query = $state('');
	#notice = $state<{ ok: boolean; text: string } | null>(null);

	readonly visible: LogEntry[] = $derived(
		this.#entries.filter((e) => matchesLog(e, { level: this.level, query: this.query }))
	);
	readonly counts: Record<LogLevel, number> = $derived(
		this.#entries.reduce<Record<LogLevel, number>>(
			(acc, e) => {
				acc[e.level]++;
				return acc;
			},
			{ debug: 0, info: 0, warn: 0, error: 0 }
		)
	);

	#logger: Logger;

	constructor({ logger }: { logger: Logger }) {
		this.#logger = logger;
	}

	/** Everything in the ring buffer, newest first. */
	get entries(): LogEntry[] {
		return this.#entries;
	}

	/** The result of the last copy or download, for a status line. */
	get notice(): { ok: boolean; text: string } | null {
		return this.#notice;
	}

	/** Follows the logger; returns the function that stops. */
	start(): () => void {
		this.#read();
		let scheduled = false;
		// A burst of entries (a reconnect storm) re-renders once per frame, not once per entry.
		const unsubscribe = this.#logger.subscribe(() => {
			if (scheduled) return;
			scheduled = true;
			requestAnimationFrame(() => {
				scheduled = false;
				this.#read();
			});
		});
		return unsubscribe;
	}

	/** The shown entries as text, oldest first (how logs are read and pasted into an issue). */
	text(): string {
		return [...this.visible].reverse().map(formatLogEntry).join('\n');
	}

	async copy(): Promise<void> {
		const count = this.visible.length;
		try {
			await navigator.clipboard.writeText(this.text());
			this.#notice = { ok: true, text: `Copied ${count} ${count === 1 ? 'entry' : 'entries'}.` };
		} catch {
			this.#notice = {
				ok: false,
				text: 'This browser did not allow copying (it needs HTTPS or localhost). Use Download instead.'
			};
		}
	}

	/** Saves the shown entries as a text file. */
	download(): void {
		const fileName = `comfy-deck-log-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.txt`;
		downloadText(`${this.text()}\n`, fileName, 'text/plain');
		this.#notice = { ok: true, text: `Saved ${fileName}.` };
	}

	clear(): void {
		this.#logger.clear();
		this.#read();
		this.#notice = null;
	}

	#read() {
		this.#entries = this.#logger.entries().reverse();
	}
}
