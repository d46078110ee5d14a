/**
 * The REST transport: URL building under a base URL (path prefix kept), bearer token, a timeout on every call,
 * retries with backoff for idempotent calls only, response parsing with the core's guards, and typed errors.
 */
import type { Schema } from './guard';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { connectionErrorWhenNeeded, networkFailure, refusal } from './diagnose';
import {
	ComfyAbortError,
	ComfyConnectionError,
	ComfyError,
	ComfyHttpError,
	ComfyProtocolError,
	ComfyTimeoutError,
	describeBody
} from './errors';
import type { Logger } from './logger';
import { safeParseWith } from './schemas';
import { errorMessage } from '../util/error-message';

/** Options every API call takes. */
export interface CallOptions {
	signal?: AbortSignal;
	/** Limit for one attempt, in ms (default: the client's, 30 s). */
	timeoutMs?: number;
}

export type QueryValue = string | number | boolean | undefined | null;

/** One request. */
export interface HttpRequest<T> extends CallOptions {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path under `<base>/api/`, without a leading slash, e.g. `history/123`. */
	path: string;
	query?: Record<string, QueryValue>;
	/** Sent as JSON. */
	json?: unknown;
	/** Sent as multipart. */
	form?: FormData;
	/** More request headers (`Range`). */
	headers?: Record<string, string>;
	/** What to read: JSON through `schema` (default when a schema is given), nothing, a Blob or text. */
	expect?: 'json' | 'empty' | 'blob' | 'text';
	schema?: Schema<T>;
	/** Safe to send again after a network error or a 5xx. Defaults to true for GET only. */
	idempotent?: boolean;
	/** Turns an error status into a specific error; return undefined for the default handling. */
	mapError?: (status: number, body: string) => Error | undefined;
}

export interface HttpClientOptions {
	baseUrl: string;
	token?: string;
	fetch?: typeof fetch;
	logger?: Logger;
	/** Default per-attempt timeout, ms. */
	timeoutMs?: number;
	/** Retries of idempotent calls (default 3) and their backoff (default 250 ms doubling to 5 s). */
	retries?: number;
	backoff?: BackoffOptions;
	/** The URL of the page the app runs in (browsers), for diagnoses. Defaults to `location.href` when there is one. */
	pageUrl?: string;
}

/** The REST transport of one server. */
export interface HttpClient {
	/** The base URL, ending in `/`. */
	readonly baseUrl: string;
	readonly token?: string;
	/** Absolute URL of `<base>/api/<path>?<query>`. */
	url(path: string, query?: Record<string, QueryValue>): string;
	request<T>(request: HttpRequest<T> & { expect: 'blob' }): Promise<Blob>;
	request<T>(request: HttpRequest<T> & { expect: 'text' }): Promise<string>;
	request<T>(request: HttpRequest<T> & { expect: 'empty' }): Promise<void>;
	request<T>(request: HttpRequest<T> & { schema: Schema<T> }): Promise<T>;
	request<T>(request: HttpRequest<T>): Promise<T | Blob | string | void>;
}

/** Makes a base URL end in `/` so relative API paths keep a proxy's path prefix; drops query and hash. */
export function normalizeBaseUrl(baseUrl: string): string {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		throw new ComfyError(`"${baseUrl}" is not a valid server address.`, {
			hint: 'Use a full address such as http://127.0.0.1:8188 or https://host/comfy/.'
		});
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ComfyError(`"${baseUrl}" is not an http:// or https:// address.`, {
			hint: 'Use a full address such as http://127.0.0.1:8188 or https://host/comfy/.'
		});
	}
	url.hash = '';
	url.search = '';
	if (!url.pathname.endsWith('/')) url.pathname += '/';
	return url.href;
}

/** The page URL when running in a browser. */
export function currentPageUrl(): string | undefined {
	const location = (globalThis as { location?: { href?: string } }).location;
	return typeof location?.href === 'string' ? location.href : undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createHttpClient(options: HttpClientOptions): HttpClient {
	const baseUrl = normalizeBaseUrl(options.baseUrl);
	const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
	const retries = options.retries ?? 3;
	const backoff: BackoffOptions = { baseMs: 250, capMs: 5_000, ...options.backoff };
	const log = options.logger;
	const pageUrl = options.pageUrl ?? currentPageUrl();

	const url = (path: string, query?: Record<string, QueryValue>) => {
		const target = new URL(`api/${path.replace(/^\/+/, '')}`, baseUrl);
		for (const [key, value] of Object.entries(query ?? {})) {
			if (value !== undefined && value !== null) target.searchParams.set(key, String(value));
		}
		return target.href;
	};

	async function attempt<T>(request: HttpRequest<T>, route: string): Promise<unknown> {
		const timeoutMs = request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		const controller = new AbortController();
		const timeoutError = new ComfyTimeoutError({ operation: route, timeoutMs });
		// setTimeout (not AbortSignal.timeout) so fake timers in tests drive it.
		const timer = setTimeout(() => controller.abort(timeoutError), timeoutMs);
		const onAbort = () => controller.abort(new ComfyAbortError(route, request.signal?.reason));
		if (request.signal?.aborted) onAbort();
		request.signal?.addEventListener('abort', onAbort, { once: true });

		const headers: Record<string, string> = { ...request.headers };
		let body: BodyInit | undefined;
		if (request.json !== undefined) {
			headers['Content-Type'] = 'application/json';
			body = JSON.stringify(request.json);
		} else if (request.form) {
			body = request.form;
		}
		if (options.token) headers.Authorization = `Bearer ${options.token}`;

		try {
			let response: Response;
			try {
				response = await doFetch(url(request.path, request.query), {
					method: request.method,
					headers,
					body,
					signal: controller.signal
				});
			} catch (error) {
				if (controller.signal.aborted) throw controller.signal.reason;
				throw await connectionErrorWhenNeeded(networkFailure({ baseUrl, pageUrl, cause: error }));
			}
			const expect = request.expect ?? (request.schema ? 'json' : 'empty');
			if (response.ok && expect === 'blob') return await readBody(() => response.blob(), route, controller);
			const text = await readBody(() => response.text(), route, controller);
			if (!response.ok) {
				const mapped = request.mapError?.(response.status, text);
				if (mapped) throw mapped;
				if (response.status === 401 || (response.status === 403 && !text.trim())) {
					throw await connectionErrorWhenNeeded(
						refusal({ baseUrl, pageUrl, status: response.status, token: options.token })
					);
				}
				throw new ComfyHttpError({
					status: response.status,
					route,
					body: text,
					hint:
						response.status >= 502 && response.status <= 504
							? 'Something between this page and ComfyUI (a proxy) answered for it: ComfyUI is probably down or restarting. Try again in a moment.'
							: response.status >= 500
								? 'The server hit an internal error: its console log says why.'
								: response.status === 404
									? 'The server does not have this route or item: it may be an older ComfyUI.'
									: undefined
				});
			}
			if (expect === 'empty') return undefined;
			if (expect === 'text') return text;
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch (error) {
				throw new ComfyProtocolError({
					route,
					fields: ['(body)'],
					detail: /^\s*</.test(text)
						? `${describeBody(text)} instead of JSON`
						: `not JSON: ${JSON.stringify(text.slice(0, 80))}`,
					cause: error
				});
			}
			if (!request.schema) return json;
			const parsed = safeParseWith(request.schema, json);
			if (!parsed.ok) throw new ComfyProtocolError({ route, fields: parsed.fields, detail: parsed.detail });
			return parsed.value;
		} catch (error) {
			if (controller.signal.aborted && !(error instanceof ComfyError)) throw controller.signal.reason;
			throw error;
		} finally {
			clearTimeout(timer);
			request.signal?.removeEventListener('abort', onAbort);
		}
	}

	/**
	 * Reads a body, typing a connection cut halfway through it (the fetch resolved with the headers; the rest never
	 * came): an unreachable server, so idempotent calls are tried again and nothing half-read is returned.
	 */
	async function readBody<B>(read: () => Promise<B>, route: string, controller: AbortController): Promise<B> {
		try {
			return await read();
		} catch (error) {
			if (controller.signal.aborted) throw controller.signal.reason;
			throw new ComfyConnectionError({
				diagnosis: 'unreachable',
				baseUrl,
				message: `${route}: the connection dropped before the whole answer arrived.`,
				hint: 'The server or a proxy in between cut the answer short; ComfyUI may be restarting. Try again in a moment.',
				cause: error
			});
		}
	}

	async function request<T>(request: HttpRequest<T>): Promise<unknown> {
		const route = `${request.method} /api/${request.path.replace(/^\/+/, '').split('?')[0]}`;
		const idempotent = request.idempotent ?? request.method === 'GET';
		for (let attemptNo = 0; ; attemptNo++) {
			try {
				const started = Date.now();
				const result = await attempt(request, route);
				log?.debug('http', `${route} ok`, { ms: Date.now() - started });
				return result;
			} catch (error) {
				const retryable =
					idempotent &&
					attemptNo < retries &&
					!request.signal?.aborted &&
					(error instanceof ComfyHttpError
						? error.status >= 500
						: error instanceof ComfyConnectionError && error.diagnosis === 'unreachable');
				if (!retryable) {
					if (!(error instanceof ComfyAbortError)) {
						log?.warn('http', `${route} failed: ${errorMessage(error)}`);
					}
					throw error;
				}
				const delay = backoffDelay(attemptNo, backoff);
				log?.info('http', `${route} failed, retry ${attemptNo + 1}/${retries} in ${delay} ms`, {
					error: errorMessage(error)
				});
				try {
					await sleep(delay, request.signal);
				} catch {
					throw new ComfyAbortError(route, request.signal?.reason);
				}
			}
		}
	}

	return { baseUrl, token: options.token, url, request: request as HttpClient['request'] };
}
