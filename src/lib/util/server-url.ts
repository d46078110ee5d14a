import { blockedPort } from '../comfy/bad-port';

/** Result of reading a server URL typed by a user. */
export type ServerUrlResult = { ok: true; url: string } | { ok: false; message: string };

/**
 * Reads a ComfyUI server address as a user types it ("box:8188", "https://host/comfy") and returns a base URL
 * that ends with "/" so relative API paths keep any path prefix. Says what is wrong otherwise.
 */
export function normalizeServerUrl(input: string): ServerUrlResult {
	const trimmed = input.trim();
	if (!trimmed)
		return { ok: false, message: 'Enter the address of a ComfyUI server, e.g. http://127.0.0.1:8188.' };
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
	let url: URL;
	try {
		url = new URL(withScheme);
	} catch {
		return {
			ok: false,
			message: `"${trimmed}" is not a web address. Use a form like http://127.0.0.1:8188.`
		};
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return { ok: false, message: `Use an http:// or https:// address (not ${url.protocol}//).` };
	}
	if (url.username || url.password) {
		return {
			ok: false,
			message: 'Put credentials in the Token field instead of the address: browsers refuse them in URLs.'
		};
	}
	const port = blockedPort(url.href);
	if (port !== undefined) {
		return {
			ok: false,
			message:
				`Browsers refuse to connect to port ${port} (ERR_UNSAFE_PORT: it belongs to another protocol), so no ` +
				'page can use a server there. Start ComfyUI on another port (8188 is its default) and enter that.'
		};
	}
	url.hash = '';
	url.search = '';
	if (!url.pathname.endsWith('/')) url.pathname += '/';
	return { ok: true, url: url.href };
}

/** The directory URL of a page (what a same-origin ComfyUI's base would be): no query, no hash, ends in "/". */
export function pageBaseUrl(pageUrl: string): string {
	const url = new URL('.', pageUrl);
	url.search = '';
	url.hash = '';
	return url.href;
}

/** The host (and port) of a URL, as a default server name. */
export function hostOf(url: string): string {
	return new URL(url).host;
}

/** The `server` query parameter of a page URL (set by `npm start` when COMFYUI_URL is given). */
export function requestedServer(pageUrl: string): string | null {
	return new URL(pageUrl).searchParams.get('server');
}

/** What a `?server=` link asks of the user: to add a server, or to read why its address cannot be used. */
export type ServerLinkOffer =
	{ kind: 'ask'; url: string } | { kind: 'invalid'; given: string; message: string };

/**
 * The question a page URL's `?server=` puts to the user, or null when there is nothing to ask (no parameter, or the
 * server is already in use). A link is untrusted: it is only ever offered, never saved or contacted, and it cannot
 * carry a token (only the address is read, and an address with credentials is refused).
 */
export function serverLinkOffer(options: {
	pageUrl: string;
	sameOrigin: string | null;
	configured: readonly string[];
}): ServerLinkOffer | null {
	const given = requestedServer(options.pageUrl);
	if (given === null) return null;
	const url = normalizeServerUrl(given);
	if (!url.ok) return { kind: 'invalid', given, message: url.message };
	if (url.url === options.sameOrigin || options.configured.includes(url.url)) return null;
	return { kind: 'ask', url: url.url };
}

/** The page URL with `?server=` removed (once the user has answered, a reload does not ask again). */
export function withoutServerParam(pageUrl: string): string {
	const url = new URL(pageUrl);
	url.searchParams.delete('server');
	return url.href;
}
