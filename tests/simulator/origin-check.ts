// ComfyUI's two mutually exclusive middlewares: with `--enable-cors-header` every handled reply gets the CORS
// headers; without it, a request whose Origin host differs from a loopback Host gets an empty 403. The host
// comparison copies Python's `urllib.parse` quirks (ports dropped on one side when the other has none).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export const CORS_METHODS = 'POST, GET, DELETE, PUT, OPTIONS, PATCH';
export const CORS_HEADERS = 'Content-Type, Authorization';

/** The headers `--enable-cors-header ORIGIN` adds to every handled reply. */
export function corsHeaders(origin: string): Record<string, string> {
	return {
		'Access-Control-Allow-Origin': origin,
		'Access-Control-Allow-Methods': CORS_METHODS,
		'Access-Control-Allow-Headers': CORS_HEADERS,
		'Access-Control-Allow-Credentials': 'true'
	};
}

interface Netloc {
	hostname: string | null;
	port: number | null;
}

/** `urllib.parse.urlsplit('//' + netloc)` → hostname (lowercase, no brackets) and port. */
function splitNetloc(netloc: string): Netloc {
	const host = netloc.includes('@') ? netloc.slice(netloc.lastIndexOf('@') + 1) : netloc;
	if (host.startsWith('[')) {
		const end = host.indexOf(']');
		const name = host.slice(1, end < 0 ? undefined : end).toLowerCase();
		const rest = end < 0 ? '' : host.slice(end + 1);
		const port = rest.startsWith(':') && rest.length > 1 ? Number(rest.slice(1)) : null;
		return { hostname: name || null, port: Number.isFinite(port) ? port : null };
	}
	const colon = host.lastIndexOf(':');
	const name = (colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
	const portText = colon >= 0 ? host.slice(colon + 1) : '';
	const port = portText ? Number(portText) : null;
	return { hostname: name || null, port: port !== null && Number.isFinite(port) ? port : null };
}

/** `urllib.parse.urlparse(origin).netloc` */
function originNetloc(origin: string): string {
	const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(origin);
	return match?.[1] ?? '';
}

const loopbackCache = new Map<string, Promise<boolean>>();

function isLoopbackIp(address: string): boolean {
	if (isIP(address) === 4) return address.startsWith('127.');
	return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/** ComfyUI's `is_loopback(host)`: an IP literal, or a name whose every address is loopback. */
export function isLoopback(hostname: string | null): Promise<boolean> {
	if (!hostname) return Promise.resolve(false);
	if (isIP(hostname)) return Promise.resolve(isLoopbackIp(hostname));
	let cached = loopbackCache.get(hostname);
	if (!cached) {
		cached = lookup(hostname, { all: true })
			.then((addresses) => addresses.length > 0 && addresses.every((a) => isLoopbackIp(a.address)))
			.catch(() => false);
		loopbackCache.set(hostname, cached);
	}
	return cached;
}

/** True when the origin-only middleware would answer 403 to a request with these headers. */
export async function originRefused(host: string | undefined, origin: string | undefined): Promise<boolean> {
	if (host === undefined || origin === undefined) return false;
	let hostDomain: string | null = host.toLowerCase();
	const originParsed = splitNetloc(originNetloc(origin));
	let originDomain: string | null = originNetloc(origin).toLowerCase();
	const hostParsed = splitNetloc(hostDomain);
	const loopback = await isLoopback(hostParsed.hostname);
	if (originParsed.port === null) hostDomain = hostParsed.hostname;
	if (hostParsed.port === null) originDomain = originParsed.hostname;
	if (loopback && hostDomain && originDomain) return hostDomain !== originDomain;
	return false;
}
