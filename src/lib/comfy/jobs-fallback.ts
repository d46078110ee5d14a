/**
 * `/api/jobs` for servers older than it: job summaries and details built from `/queue` and `/history`, the way
 * ComfyUI 0.8 builds them.
 */
import type { History, HistoryEntry, JobDetail, JobSummary, Queue, QueueItem } from './schemas';

/** Job summaries from a queue and a history (newest first), as `/api/jobs` would give them. */
export function jobsFromQueueAndHistory(queue: Queue, history: History): JobSummary[] {
	const jobs: JobSummary[] = [];
	const fromItem = (item: QueueItem, status: string): JobSummary => ({
		id: item[1],
		status,
		priority: item[0],
		create_time: numberOr(item[3].create_time)
	});
	for (const item of [...queue.queue_pending].reverse()) jobs.push(fromItem(item, 'pending'));
	for (const item of queue.queue_running) jobs.push(fromItem(item, 'in_progress'));
	for (const [id, entry] of Object.entries(history).reverse()) {
		jobs.push(summaryFromHistory(id, entry));
	}
	return jobs;
}

/** The job detail for one id from a queue and its history entry; undefined when neither knows it. */
export function jobFromQueueAndHistory(
	id: string,
	queue: Queue,
	entry: HistoryEntry | undefined
): JobDetail | undefined {
	if (entry) {
		return { ...summaryFromHistory(id, entry), outputs: entry.outputs, execution_status: entry.status };
	}
	const running = queue.queue_running.find((item) => item[1] === id);
	if (running)
		return { id, status: 'in_progress', priority: running[0], create_time: numberOr(running[3].create_time) };
	const pending = queue.queue_pending.find((item) => item[1] === id);
	if (pending)
		return { id, status: 'pending', priority: pending[0], create_time: numberOr(pending[3].create_time) };
	return undefined;
}

function summaryFromHistory(id: string, entry: HistoryEntry): JobSummary {
	const status = entry.status?.status_str === 'success' ? 'completed' : entry.status ? 'failed' : 'completed';
	const messages = entry.status?.messages ?? [];
	const stamp = (type: string) => {
		const data = messages.find(([name]) => name === type)?.[1];
		return data && typeof data === 'object' && 'timestamp' in data ? numberOr(data.timestamp) : undefined;
	};
	const outputsCount = Object.values(entry.outputs).reduce(
		(count, output) => count + (output.images?.length ?? 0),
		0
	);
	return {
		id,
		status,
		priority: numberOr(entry.prompt[0]),
		create_time: numberOr((entry.prompt[3] as { create_time?: unknown } | undefined)?.create_time),
		execution_start_time: stamp('execution_start'),
		execution_end_time:
			stamp('execution_success') ?? stamp('execution_error') ?? stamp('execution_interrupted'),
		outputs_count: outputsCount
	};
}

function numberOr(value: unknown): number | undefined {
	return typeof value === 'number' ? value : undefined;
}
