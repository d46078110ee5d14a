import { blockedPort } from './bad-port';
import {
	buildConnectionError,
	isCrossOrigin,
	isMixedContent,
	loadDiagnosisText,
	refusal,
	wouldFailOriginCheck,
	type ConnectionErrorOptions
} from './diagnose';
import { ComfyAbortError, ComfyConnectionError, ComfyProtocolError, ComfyTimeoutError } from './errors';
import { createHttpClient, currentPageUrl, normalizeBaseUrl } from './http';
import type { Logger } from './logger';
import { zSystemStats, type SystemStats } from './route-schemas';
import { errorMessage } from '../util/error-message';

export interface ProbeServerOptions {
	baseUrl: string;
	token?: string;
	fetch?: typeof fetch;
	signal?: AbortSignal;
	/** The page's URL (browsers): needed to tell CORS, the Origin check and mixed content apart. */
	pageUrl?: string;
	/** Limit for the check, ms (default 5 s). */
	timeoutMs?: number;
	/**
	 * After a failed cross-origin request, send a `no-cors` one to tell CORS and the Origin check from a dead
	 * server (default true). Repeated checks of a server already diagnosed can skip it: one request instead of two.
	 */
	refine?: boolean;
	/** Where the request is logged (the app's log), if anywhere. */
	logger?: Logger;
}

export type ProbeServerResult =
	{ ok: true; systemStats: SystemStats; latencyMs: number } | { ok: false; error: ComfyConnectionError };

/**
 * Checks whether a ComfyUI server can be used from here, and if not, why: unreachable, CORS blocked, refused by
 * ComfyUI's 403 Origin check, mixed content, not a ComfyUI, auth refused, or too slow. Never throws (a cancelled
 * check resolves to an `unreachable` result).
 */
export async function probeServer(options: ProbeServerOptions): Promise<ProbeServerResult> {
	const pageUrl = options.pageUrl ?? currentPageUrl();
	const timeoutMs = options.timeoutMs ?? 5_000;
	// A check exists to explain a failure: its words are loaded up front (the REST client loads them on one).
	const words = await loadDiagnosisText();
	const connectionError = (o: ConnectionErrorOptions) => buildConnectionError(o, words);
	let baseUrl: string;
	try {
		baseUrl = normalizeBaseUrl(options.baseUrl);
	} catch (error) {
		return {
			ok: false,
			error: connectionError({
				diagnosis: 'unreachable',
				baseUrl: options.baseUrl,
				detail: 'this is not a valid address',
				cause: error
			})
		};
	}
	const fail = (error: ComfyConnectionError): ProbeServerResult => ({ ok: false, error });

	// The browser blocks these before sending anything: no request can tell us more.
	if (blockedPort(baseUrl) !== undefined)
		return fail(connectionError({ diagnosis: 'unsafe-port', baseUrl, pageUrl }));
	if (isMixedContent(baseUrl, pageUrl))
		return fail(connectionError({ diagnosis: 'mixed-content', baseUrl, pageUrl }));

	const http = createHttpClient({
		baseUrl,
		token: options.token,
		fetch: options.fetch,
		pageUrl,
		retries: 0,
		logger: options.logger
	});
	const started = performanceNow();
	try {
		const systemStats = await http.request({
			method: 'GET',
			path: 'system_stats',
			schema: zSystemStats,
			signal: options.signal,
			timeoutMs,
			mapError: (status, body) => {
				if (status === 401 || status === 403)
					return connectionError(refusal({ baseUrl, pageUrl, status, token: options.token }));
				if (status === 404 || (status < 500 && status !== 408))
					return connectionError({
						diagnosis: 'not-comfyui',
						baseUrl,
						pageUrl,
						status,
						detail: `${status} for /api/system_stats${body.trim().startsWith('<') ? ', an HTML page' : ''}`
					});
				return connectionError({
					diagnosis: 'unreachable',
					baseUrl,
					pageUrl,
					status,
					detail: `it answered ${status}${status === 502 || status === 503 || status === 504 ? ' (a proxy whose ComfyUI is down?)' : ''}`
				});
			}
		});
		return { ok: true, systemStats, latencyMs: Math.max(0, performanceNow() - started) };
	} catch (error) {
		if (error instanceof ComfyConnectionError) {
			if (error.diagnosis !== 'unreachable' || error.status !== undefined || options.refine === false)
				return fail(error);
			return fail(
				await refineNetworkFailure({
					baseUrl,
					pageUrl,
					fetch: options.fetch,
					error,
					timeoutMs,
					connectionError
				})
			);
		}
		if (error instanceof ComfyProtocolError) {
			return fail(
				connectionError({
					diagnosis: 'not-comfyui',
					baseUrl,
					pageUrl,
					detail:
						error.fields[0] === '(body)' ? 'its answer is not JSON' : `unexpected ${error.fields.join(', ')}`,
					cause: error
				})
			);
		}
		if (error instanceof ComfyTimeoutError) {
			return fail(connectionError({ diagnosis: 'timeout', baseUrl, pageUrl, timeoutMs, cause: error }));
		}
		if (error instanceof ComfyAbortError) {
			return fail(
				connectionError({ diagnosis: 'unreachable', baseUrl, pageUrl, detail: 'the check was cancelled' })
			);
		}
		return fail(
			connectionError({
				diagnosis: 'unreachable',
				baseUrl,
				pageUrl,
				detail: errorMessage(error),
				cause: error
			})
		);
	}
}

/**
 * A fetch that threw in a browser may be CORS, the Origin check (a 403 without CORS headers reads as CORS too) or a
 * dead server. A `no-cors` request settles it: it resolves (opaquely) whenever the server answers at all.
 */
async function refineNetworkFailure(options: {
	baseUrl: string;
	pageUrl: string | undefined;
	fetch: typeof fetch | undefined;
	error: ComfyConnectionError;
	timeoutMs: number;
	connectionError: (options: ConnectionErrorOptions) => ComfyConnectionError;
}): Promise<ComfyConnectionError> {
	const { baseUrl, pageUrl } = options;
	if (!isCrossOrigin(baseUrl, pageUrl)) return options.error;
	const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), options.timeoutMs);
	try {
		await doFetch(new URL('api/system_stats', baseUrl).href, {
			mode: 'no-cors',
			signal: controller.signal
		});
	} catch {
		clearTimeout(timer);
		return options.error;
	}
	try {
		if (wouldFailOriginCheck(baseUrl, pageUrl))
			return options.connectionError({
				diagnosis: 'origin-check',
				baseUrl,
				pageUrl,
				status: 403,
				cause: options.error
			});
		// A server that lets this page read its front page but not /api/system_stats allows CORS (or at least its
		// pages do) and has no ComfyUI API there: another web server, or a proxy path that does not lead to ComfyUI.
		// ComfyUI itself either allows this page everywhere or nowhere.
		const front = await doFetch(baseUrl, { mode: 'cors', signal: controller.signal }).catch(() => null);
		if (front)
			return options.connectionError({
				diagnosis: 'not-comfyui',
				baseUrl,
				pageUrl,
				detail: `it lets this page read its pages (${front.status} for ${baseUrl}), but /api/system_stats is not ComfyUI's`,
				cause: options.error
			});
		return options.connectionError({ diagnosis: 'cors', baseUrl, pageUrl, cause: options.error });
	} finally {
		clearTimeout(timer);
	}
}

function performanceNow(): number {
	return typeof performance === 'undefined' ? Date.now() : performance.now();
}
