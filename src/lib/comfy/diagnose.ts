/**
 * Turns "the request failed" into a diagnosis a person can act on. A browser hides why a cross-origin request
 * failed (CORS, a 403 Origin check and a dead server all look like one TypeError), so these helpers combine what
 * can be known: the page's protocol and origin, the server's host, and (in `probeServer`) a `no-cors` request.
 */
import { ComfyConnectionError, type ConnectionDiagnosis } from './errors';

/** True for hosts ComfyUI's Origin check protects (and that browsers treat as potentially trustworthy). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return (
		host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
	);
}

/** The page's origin, when there is a page (browsers) and its URL is known. */
export function pageOrigin(pageUrl: string | undefined): string | undefined {
	if (!pageUrl) return undefined;
	try {
		const origin = new URL(pageUrl).origin;
		return origin === 'null' ? undefined : origin;
	} catch {
		return undefined;
	}
}

/** An https page calling a plain-http, non-loopback server is blocked by the browser before anything is sent. */
export function isMixedContent(baseUrl: string, pageUrl: string | undefined): boolean {
	if (!pageUrl) return false;
	try {
		const page = new URL(pageUrl);
		const base = new URL(baseUrl);
		return page.protocol === 'https:' && base.protocol === 'http:' && !isLoopbackHost(base.hostname);
	} catch {
		return false;
	}
}

/** True when the page and the server have different origins (so CORS applies). */
export function isCrossOrigin(baseUrl: string, pageUrl: string | undefined): boolean {
	const origin = pageOrigin(pageUrl);
	if (!origin) return false;
	try {
		return new URL(baseUrl).origin !== origin;
	} catch {
		return false;
	}
}

/**
 * Would ComfyUI's Origin check refuse this page? It answers 403 when its Host is a loopback address and the
 * request's Origin names another host (the port is ignored), unless it was started with --enable-cors-header.
 */
export function wouldFailOriginCheck(baseUrl: string, pageUrl: string | undefined): boolean {
	const origin = pageOrigin(pageUrl);
	if (!origin) return false;
	try {
		const base = new URL(baseUrl);
		return isLoopbackHost(base.hostname) && new URL(origin).hostname !== base.hostname;
	} catch {
		return false;
	}
}

function corsFix(pageUrl: string | undefined): string {
	const origin = pageOrigin(pageUrl) ?? 'http://<this page’s host>';
	return (
		`Start ComfyUI with --enable-cors-header ${origin} (or '*' on a trusted network), or open Comfy Deck from ` +
		`ComfyUI itself by starting it with --front-end-root <path to Comfy Deck's build>.`
	);
}

/** Builds the connection error for a diagnosis, with the standard message and hint. */
export function connectionError(options: {
	diagnosis: ConnectionDiagnosis;
	baseUrl: string;
	pageUrl?: string;
	status?: number;
	detail?: string;
	timeoutMs?: number;
	cause?: unknown;
}): ComfyConnectionError {
	const { diagnosis, baseUrl, pageUrl, status, detail } = options;
	const origin = pageOrigin(pageUrl) ?? 'this page';
	let message: string;
	let hint: string;
	switch (diagnosis) {
		case 'unreachable':
			message = `Cannot reach ${baseUrl}${detail ? `: ${detail}` : ': nothing answered'}.`;
			hint =
				'Check that ComfyUI is running at that address and port and that this device can reach it ' +
				'(start ComfyUI with --listen 0.0.0.0 to reach it from other machines).' +
				(isCrossOrigin(baseUrl, pageUrl)
					? ` If it is running, it may be refusing this page: ${corsFix(pageUrl)}`
					: '');
			break;
		case 'cors':
			message = `${baseUrl} is up, but it does not let ${origin} read its answers (no CORS headers).`;
			hint = corsFix(pageUrl);
			break;
		case 'origin-check':
			message =
				`Cannot use ${baseUrl}: the server answered 403 because its Origin check refused ${origin} ` +
				`(ComfyUI on a loopback address only accepts pages from its own host).`;
			hint = corsFix(pageUrl);
			break;
		case 'mixed-content':
			message =
				`This page is served over https, so the browser blocks calls to the plain-http address ${baseUrl} ` +
				`(mixed content).`;
			hint =
				'Put ComfyUI behind an https proxy and use its https:// address, or open Comfy Deck over http ' +
				'(or from ComfyUI itself with --front-end-root).';
			break;
		case 'not-comfyui':
			message = `${baseUrl} answered, but not like a ComfyUI server${detail ? ` (${detail})` : ''}.`;
			hint =
				'Check the address: it must point at ComfyUI itself (port 8188 by default) or at the path a proxy ' +
				'forwards to it, e.g. https://host/comfy/.';
			break;
		case 'auth':
			message = `${baseUrl} refused the credentials${status ? ` (HTTP ${status})` : ''}.`;
			hint =
				'Check the token in this server’s settings: a proxy in front of ComfyUI needs the token it expects ' +
				'(sent as "Authorization: Bearer" and as ?token= on the WebSocket).';
			break;
		case 'timeout':
			message = `${baseUrl} did not answer within ${Math.round((options.timeoutMs ?? 0) / 100) / 10} s.`;
			hint =
				'The server or the network may be busy (a model load can stall it briefly); it will be tried again.';
			break;
	}
	return new ComfyConnectionError({ diagnosis, baseUrl, message, hint, status, cause: options.cause });
}

/**
 * The diagnosis of a fetch that threw (no answer could be read), without sending anything more: mixed content is
 * certain from the URLs, the rest is a best guess that `probeServer` refines.
 */
export function diagnoseNetworkFailure(options: {
	baseUrl: string;
	pageUrl?: string;
	cause?: unknown;
}): ComfyConnectionError {
	if (isMixedContent(options.baseUrl, options.pageUrl))
		return connectionError({ ...options, diagnosis: 'mixed-content' });
	const detail =
		options.cause instanceof Error && options.cause.message ? describeCause(options.cause) : undefined;
	return connectionError({ ...options, diagnosis: 'unreachable', detail });
}

/** The diagnosis of an HTTP 401/403 from the server or a proxy in front of it. */
export function diagnoseRefusal(options: {
	baseUrl: string;
	pageUrl?: string;
	status: number;
	token?: string;
}): ComfyConnectionError {
	const { status } = options;
	// ComfyUI itself has no auth: a 401 comes from a proxy. Its 403 is the Origin check (empty body), which only
	// guards loopback hosts; a 403 elsewhere, or when a token is in play, is most likely an auth proxy.
	let host = '';
	try {
		host = new URL(options.baseUrl).hostname;
	} catch {
		// Keep the empty host: the URL was checked before the request.
	}
	const originCheck = status === 403 && (!options.token || isLoopbackHost(host));
	return connectionError({ ...options, diagnosis: originCheck ? 'origin-check' : 'auth' });
}

function describeCause(cause: Error): string {
	// undici hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`.
	const inner = (cause as { cause?: unknown }).cause;
	const code =
		inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string'
			? inner.code
			: undefined;
	if (code === 'ECONNREFUSED') return 'the connection was refused (is ComfyUI running on that port?)';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
	if (code === 'ECONNRESET') return 'the connection was reset';
	if (code) return `${cause.message} (${code})`;
	return cause.message === 'Failed to fetch' || cause.message === 'fetch failed'
		? 'the request failed before any answer arrived'
		: cause.message;
}
