/**
 * Queue positions: the order ComfyUI runs pending prompts in (by number; `front` gets a negative one), shared by
 * the tracker's positions and the Queue view, and the tracker's refresh of its queued jobs' positions.
 */
import type { JobTrackerContext } from './job-tracker-context';
import { errorMessage } from '../util/error-message';
import type { Queue } from './schemas';

/** One prompt of `/queue`: `[number, prompt id, prompt, extra data, outputs to execute]`. */
export type QueueItem = Queue['queue_pending'][number];

/** Pending prompts in the order the server will run them (a copy; the answer's own order is not that). */
export function pendingInRunOrder(queue: Queue): QueueItem[] {
	return [...queue.queue_pending].sort((first, second) => first[0] - second[0]);
}

const DEBOUNCE_MS = 250;

export function createQueuePositions(options: {
	context: JobTrackerContext;
	/** Asks the server about a queued job the queue no longer lists (it started, ended, or was removed). */
	check: (id: string) => void;
}) {
	const { context } = options;
	const { api, registry, logger, now } = context;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let refreshing = false;

	async function refresh() {
		if (refreshing || context.closed) return;
		refreshing = true;
		try {
			const queue = await api.getQueue();
			const pending = pendingInRunOrder(queue).map((item) => item[1]);
			const running = new Set(queue.queue_running.map((item) => item[1]));
			for (const job of registry.all()) {
				if (job.status !== 'queued') continue;
				const runtime = registry.runtimeOf(job.id);
				const index = pending.indexOf(job.id);
				if (index < 0) {
					// One still being sent may simply not be queued yet; a running one is checked (after the send).
					if (!runtime.submitting || running.has(job.id)) options.check(job.id);
					continue;
				}
				runtime.seenOnConnection = context.connections;
				if (job.position !== index) {
					runtime.lastSignOfLifeAt = now();
					registry.patch(job.id, { position: index });
				}
			}
		} catch (error) {
			logger?.debug('jobs', `queue positions not refreshed: ${errorMessage(error)}`);
		} finally {
			refreshing = false;
		}
	}

	function schedule() {
		if (timer || !registry.all().some((job) => job.status === 'queued')) return;
		timer = setTimeout(() => {
			timer = undefined;
			void refresh();
		}, DEBOUNCE_MS);
	}

	return {
		/** Refreshes positions shortly (changes in a burst share one `/queue` read) when some job is queued. */
		schedule,
		/** The queue moved (a `status` message): positions may have changed, and queued jobs are alive. */
		queueMoved() {
			for (const job of registry.all()) {
				if (job.status === 'queued') registry.runtimeOf(job.id).lastSignOfLifeAt = now();
			}
			schedule();
		},
		stop() {
			clearTimeout(timer);
		}
	};
}
