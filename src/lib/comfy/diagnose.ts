/**
 * Turns "the request failed" into a diagnosis a person can act on. A browser hides why a cross-origin request
 * failed (CORS, a 403 Origin check and a dead server all look like one TypeError), so these helpers combine what
 * can be known: the page's protocol and origin, the server's host, and (in `probeServer`) a `no-cors` request.
 * The words live in `diagnosis-text.ts`, loaded only when a request fails or a server is checked, so a bundler
 * splits them off the core's first load (`npm run weight`).
 */
import type { diagnosisText, DiagnosisFacts } from './diagnosis-text';
import { ComfyConnectionError } from './errors';

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

/** What a connection error is built from. */
export interface ConnectionErrorOptions extends Omit<DiagnosisFacts, 'origin' | 'crossOrigin'> {
	pageUrl?: string;
	cause?: unknown;
}

/** The connection error for a diagnosis, in the words of `text` (`diagnosisText`, or a stand-in). */
export function buildConnectionError(
	options: ConnectionErrorOptions,
	text: typeof diagnosisText
): ComfyConnectionError {
	const { diagnosis, baseUrl, pageUrl, status, cause } = options;
	const origin = pageOrigin(pageUrl);
	const crossOrigin = isCrossOrigin(baseUrl, pageUrl);
	return new ComfyConnectionError({
		diagnosis,
		baseUrl,
		status,
		cause,
		...text({ ...options, origin, crossOrigin })
	});
}

/**
 * The words of every diagnosis (`diagnosis-text.ts`, split off the core's first load), loaded now; should that
 * load fail (this device went offline), short words that still name the server and the diagnosis.
 */
export async function loadDiagnosisText(): Promise<typeof diagnosisText> {
	return import('./diagnosis-text').then(
		(module) => module.diagnosisText,
		(): typeof diagnosisText => (facts) => ({
			message: `Cannot use ${facts.baseUrl} (${facts.diagnosis}${facts.status ? `, HTTP ${facts.status}` : ''}).`,
			hint: 'Check that ComfyUI is running and this device is online, then try again.'
		})
	);
}

/** The connection error for a diagnosis, with its words loaded only now (only a failed request needs them). */
export async function connectionErrorWhenNeeded(
	options: ConnectionErrorOptions
): Promise<ComfyConnectionError> {
	return buildConnectionError(options, await loadDiagnosisText());
}

/**
 * The diagnosis of a fetch that threw (no answer could be read), without sending anything more: mixed content is
 * certain from the URLs, the rest is a best guess that `probeServer` refines.
 */
export function networkFailure(options: {
	baseUrl: string;
	pageUrl?: string;
	cause?: unknown;
}): ConnectionErrorOptions {
	if (isMixedContent(options.baseUrl, options.pageUrl)) return { ...options, diagnosis: 'mixed-content' };
	const failure = options.cause instanceof Error && options.cause.message ? options.cause : undefined;
	return { ...options, diagnosis: 'unreachable', failure };
}

/** The diagnosis of an HTTP 401/403 from the server or a proxy in front of it. */
export function refusal(options: {
	baseUrl: string;
	pageUrl?: string;
	status: number;
	token?: string;
}): ConnectionErrorOptions {
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
	return { ...options, diagnosis: originCheck ? 'origin-check' : 'auth' };
}
