// ComfyUI's PromptQueue: a Python `heapq` of `(number, prompt_id, prompt, extra_data, outputs, sensitive)`
// (so `/queue` lists pending items in heap order, exactly as the real server does), the running items, and
// the in-memory history. Every change calls `onChange`, which broadcasts a `status` message.

/** The prompt as posted: node id → `{class_type, inputs, …}`. */
export type ApiPrompt = Record<
	string,
	{ class_type: string; inputs: Record<string, unknown>; [k: string]: unknown }
>;

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute, sensitive]` */
export type QueueItem = [
	number,
	string,
	ApiPrompt,
	Record<string, unknown>,
	string[],
	Record<string, unknown>
];

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`: what `/queue` and history show. */
export type PublicItem = [number, string, ApiPrompt, Record<string, unknown>, string[]];

export interface HistoryEntry {
	prompt: PublicItem;
	outputs: Record<string, unknown>;
	status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, unknown][] } | null;
	meta?: Record<string, unknown>;
}

const MAXIMUM_HISTORY_SIZE = 10000;

function less(a: QueueItem, b: QueueItem): boolean {
	if (a[0] !== b[0]) return a[0] < b[0];
	return a[1] < b[1];
}

// heapq._siftdown / _siftup, verbatim, so pending order matches the real server's list.
function siftDown(heap: QueueItem[], start: number, pos: number): void {
	const item = heap[pos] as QueueItem;
	while (pos > start) {
		const parentPos = (pos - 1) >> 1;
		const parent = heap[parentPos] as QueueItem;
		if (less(item, parent)) {
			heap[pos] = parent;
			pos = parentPos;
			continue;
		}
		break;
	}
	heap[pos] = item;
}

function siftUp(heap: QueueItem[], pos: number): void {
	const end = heap.length;
	const start = pos;
	const item = heap[pos] as QueueItem;
	let child = 2 * pos + 1;
	while (child < end) {
		const right = child + 1;
		if (right < end && !less(heap[child] as QueueItem, heap[right] as QueueItem)) child = right;
		heap[pos] = heap[child] as QueueItem;
		pos = child;
		child = 2 * pos + 1;
	}
	heap[pos] = item;
	siftDown(heap, start, pos);
}

function heapify(heap: QueueItem[]): void {
	for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) siftUp(heap, i);
}

export function publicItem(item: QueueItem): PublicItem {
	return [item[0], item[1], item[2], item[3], item[4]];
}

/** Pending heap, running items and history. */
export class PromptQueue {
	private heap: QueueItem[] = [];
	private readonly running = new Map<number, QueueItem>();
	private taskCounter = 0;
	readonly history = new Map<string, HistoryEntry>();
	/** `PromptServer.number`: the next queue number. */
	number = 0;

	constructor(private readonly onChange: () => void) {}

	put(item: QueueItem): void {
		this.heap.push(item);
		siftDown(this.heap, 0, this.heap.length - 1);
		this.onChange();
	}

	/** Pops the next item (lowest number) and marks it running; null when empty. */
	get(): { item: QueueItem; id: number } | null {
		const last = this.heap.pop();
		if (!last) return null;
		let item = last;
		if (this.heap.length > 0) {
			item = this.heap[0] as QueueItem;
			this.heap[0] = last;
			siftUp(this.heap, 0);
		}
		const id = this.taskCounter++;
		this.running.set(id, structuredClone(item));
		this.onChange();
		return { item, id };
	}

	/** Moves a running item to history with its outputs and status. */
	taskDone(id: number, result: Omit<HistoryEntry, 'prompt'>): void {
		const item = this.running.get(id);
		this.running.delete(id);
		if (item) {
			if (this.history.size > MAXIMUM_HISTORY_SIZE) {
				const oldest = this.history.keys().next().value;
				if (oldest !== undefined) this.history.delete(oldest);
			}
			const entry: HistoryEntry = { prompt: publicItem(item), outputs: {}, status: result.status };
			entry.outputs = result.outputs;
			if (result.meta) entry.meta = result.meta;
			// Like a dict update, Map.set keeps a reused prompt id at its first position.
			this.history.set(item[1], entry);
		}
		this.onChange();
	}

	queueRemaining(): number {
		return this.heap.length + this.running.size;
	}

	runningItems(): QueueItem[] {
		return [...this.running.values()];
	}

	/** Pending items in heap order (the real server does not sort them). */
	pendingItems(): QueueItem[] {
		return [...this.heap];
	}

	/** `delete_queue_item`: removes the first pending match. Deleting the last item broadcasts twice. */
	deletePending(promptId: string): boolean {
		const index = this.heap.findIndex((item) => item[1] === promptId);
		if (index < 0) return false;
		if (this.heap.length === 1) this.wipe();
		else {
			this.heap.splice(index, 1);
			heapify(this.heap);
		}
		this.onChange();
		return true;
	}

	/** `wipe_queue`: drops every pending item. */
	wipe(): void {
		this.heap = [];
		this.onChange();
	}

	/** `get_history(max_items, offset)` with ComfyUI's negative-offset rule. */
	getHistory(maxItems: number | null, offset: number): Record<string, HistoryEntry> {
		const out: Record<string, HistoryEntry> = {};
		let start = offset;
		if (start < 0 && maxItems !== null) start = this.history.size - maxItems;
		let i = 0;
		for (const [id, entry] of this.history) {
			if (i >= start) {
				out[id] = entry;
				if (maxItems !== null && Object.keys(out).length >= maxItems) break;
			}
			i += 1;
		}
		return out;
	}

	/** Restart: nothing pending, nothing running, no history, numbering from 0. */
	reset(): void {
		this.heap = [];
		this.running.clear();
		this.history.clear();
		this.number = 0;
	}
}
