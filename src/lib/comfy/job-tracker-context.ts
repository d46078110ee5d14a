/** What the parts of the job tracker share: the server, the jobs, and the state of the socket session. */
import type { ComfyApi } from './api';
import type { JobRegistry } from './job-registry';
import type { Logger } from './logger';
import type { ComfySocket } from './socket';

export interface JobTrackerContext {
	api: ComfyApi;
	socket: ComfySocket;
	registry: JobRegistry;
	logger?: Logger;
	now: () => number;
	/**
	 * Socket connections so far. ComfyUI only forgets a queued prompt when it is deleted from the queue or when the
	 * server restarts, and a restart drops the socket: a job the server showed during the connection that is still
	 * open, and no longer knows, was removed from the queue, not lost.
	 */
	connections: number;
	/** The prompt the server is running, for messages that do not name theirs (`executing` after a reconnect). */
	activePromptId?: string;
	closed: boolean;
}
