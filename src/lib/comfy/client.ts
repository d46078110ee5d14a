/**
 * `createComfyClient`: one server's REST API, WebSocket session, job tracker, logger and `generateImage`, wired
 * together. Keep one client per server per tab (the app's state holds them).
 */
import { createComfyApi, type ComfyApi } from './api';
import type { BackoffOptions } from './backoff';
import type { ChannelLike, StorageLike } from './client-id';
import { generateImage, type GenerateImageOptions, type GenerationResult } from './generate-image';
import { normalizeBaseUrl } from './http';
import { createJobTracker, type JobTracker, type JobTrackerOptions } from './job-tracker';
import type { JobStore } from './job-store';
import { createLogger, type Logger, type LogLevel } from './logger';
import {
	createComfySocket,
	type ComfySocket,
	type SessionEnvironment,
	type WebSocketConstructor
} from './socket';
import { errorMessage } from '../util/error-message';

export interface ComfyClientOptions {
	baseUrl: string;
	token?: string;
	logLevel?: LogLevel;
	/** Log entries kept for the UI (default 500). */
	logCapacity?: number;
	/** A logger to write into instead of a new one (an app shows one log for all its servers). */
	logger?: Logger;
	fetch?: typeof fetch;
	/** WebSocket implementation (browsers have one; in Node 20 pass the `ws` package's). */
	WebSocket?: WebSocketConstructor;
	/** Where job records live (default: in memory). */
	jobStore?: JobStore;
	/** Where this tab keeps its client id (default: sessionStorage, or memory). */
	clientIdStorage?: StorageLike;
	clientIdChannel?: (() => ChannelLike) | null;
	environment?: SessionEnvironment;
	/** The page URL for connection diagnoses (default: `location.href`). */
	pageUrl?: string;
	/** Default per-call REST timeout, ms (30 s). */
	timeoutMs?: number;
	/** Retries of idempotent REST calls (3). */
	retries?: number;
	socket?: { backoff?: BackoffOptions; statusTimeoutMs?: number; closeTimeoutMs?: number };
	jobs?: Pick<
		JobTrackerOptions,
		'checkAfterMs' | 'pollMs' | 'silenceTimeoutMs' | 'submitAttempts' | 'submitBackoff' | 'submitTimeoutMs'
	>;
	/** Connect the socket and restore stored jobs at once (default true). */
	autoConnect?: boolean;
}

export interface ComfyClient {
	readonly baseUrl: string;
	readonly api: ComfyApi;
	readonly socket: ComfySocket;
	readonly jobs: JobTracker;
	readonly logger: Logger;
	/** Resolves once stored jobs were restored and reconciled (started by `autoConnect`). */
	readonly ready: Promise<void>;
	generateImage(options: GenerateImageOptions): Promise<GenerationResult>;
	/** Closes the socket and stops the tracker. */
	close(): Promise<void>;
}

export function createComfyClient(options: ComfyClientOptions): ComfyClient {
	const baseUrl = normalizeBaseUrl(options.baseUrl);
	const logger =
		options.logger ?? createLogger({ level: options.logLevel ?? 'info', capacity: options.logCapacity });
	const api = createComfyApi({
		baseUrl,
		token: options.token,
		fetch: options.fetch,
		logger,
		timeoutMs: options.timeoutMs,
		retries: options.retries,
		pageUrl: options.pageUrl
	});
	const socket = createComfySocket({
		baseUrl,
		token: options.token,
		WebSocket: options.WebSocket,
		logger,
		clientIdStorage: options.clientIdStorage,
		clientIdChannel: options.clientIdChannel,
		environment: options.environment,
		...options.socket
	});
	const jobs = createJobTracker({
		api,
		socket,
		serverUrl: baseUrl,
		store: options.jobStore,
		logger,
		...options.jobs
	});
	let ready: Promise<void> = Promise.resolve();
	if (options.autoConnect ?? true) {
		socket.connect();
		ready = jobs.load().catch((error: unknown) => {
			logger.error('jobs', `could not restore stored jobs: ${errorMessage(error)}`);
		});
	}
	return {
		baseUrl,
		api,
		socket,
		jobs,
		logger,
		ready,
		generateImage: (o) => generateImage({ api, jobs, logger }, o),
		async close() {
			jobs.close();
			await socket.close();
		}
	};
}
