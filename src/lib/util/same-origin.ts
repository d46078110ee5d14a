import { pageBaseUrl } from './server-url';

/**
 * Is this page served by ComfyUI itself (`--front-end-root`)? ComfyUI's aiohttp server names itself in the
 * `Server` header of the page, so we ask for the page's own headers first and only then probe
 * `api/system_stats`: on an ordinary static host that would be a pointless 404 in the network log.
 * Returns the same-origin base URL when a ComfyUI answers there.
 */
export async function detectSameOriginComfy(options: {
	pageUrl: string;
	fetch?: typeof fetch;
	signal?: AbortSignal;
}): Promise<string | null> {
	const doFetch = options.fetch ?? fetch;
	const base = pageBaseUrl(options.pageUrl);
	if (!base.startsWith('http')) return null;
	try {
		const head = await doFetch(base, { method: 'HEAD', cache: 'no-store', signal: options.signal });
		// Read the (empty) body to the end: a response left unread is cancelled when collected, and Chromium then
		// logs the HEAD as a failed request (net::ERR_ABORTED) on every load.
		await head.arrayBuffer().catch(() => undefined);
		if (!/aiohttp|comfy/i.test(head.headers.get('server') ?? '')) return null;
		const stats = await doFetch(new URL('api/system_stats', base), { signal: options.signal });
		if (!stats.ok) return null;
		const body: unknown = await stats.json();
		return looksLikeSystemStats(body) ? base : null;
	} catch {
		return null;
	}
}

function looksLikeSystemStats(body: unknown): boolean {
	if (typeof body !== 'object' || body === null) return false;
	const { system, devices } = body as Record<string, unknown>;
	return typeof system === 'object' && system !== null && Array.isArray(devices);
}
