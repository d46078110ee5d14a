/**
 * The words of a connection diagnosis: what happened and what to do. Only a failed request needs them, so
 * `http.ts` loads this file when one fails (a bundler splits it off the core's first load, `npm run weight`);
 * it imports nothing, so no code is shared with that split.
 */
import type { ConnectionDiagnosis } from './errors';

export interface DiagnosisFacts {
	diagnosis: ConnectionDiagnosis;
	baseUrl: string;
	/** The page's origin, when known. */
	origin?: string;
	/** The page and the server have different origins. */
	crossOrigin?: boolean;
	status?: number;
	detail?: string;
	/** What a fetch threw: told in words as the detail when there is no other. */
	failure?: Error;
	timeoutMs?: number;
}

function corsFix(origin: string | undefined): string {
	return (
		`Start ComfyUI with --enable-cors-header ${origin ?? 'http://<this page’s host>'} (or '*' on a trusted network), or open Comfy Deck from ` +
		`ComfyUI itself by starting it with --front-end-root <path to Comfy Deck's build>.`
	);
}

/** The standard message and hint of a diagnosis. */
export function diagnosisText(facts: DiagnosisFacts): { message: string; hint: string } {
	const { baseUrl, status } = facts;
	const detail = facts.detail ?? (facts.failure && describeCause(facts.failure));
	const origin = facts.origin ?? 'this page';
	switch (facts.diagnosis) {
		case 'unreachable':
			return {
				message: `Cannot reach ${baseUrl}${detail ? `: ${detail}` : ': nothing answered'}.`,
				hint:
					'Check that ComfyUI is running at that address and port and that this device can reach it ' +
					'(start ComfyUI with --listen 0.0.0.0 to reach it from other machines).' +
					(facts.crossOrigin
						? ` If it is running, it may be refusing this page: ${corsFix(facts.origin)}`
						: '')
			};
		case 'cors':
			return {
				message: `${baseUrl} is up, but it does not let ${origin} read its answers (no CORS headers).`,
				// The browser hides the answer: a ComfyUI without the flag and another web server look the same.
				hint: `${corsFix(facts.origin)} If that address is not a ComfyUI at all, correct it.`
			};
		case 'origin-check':
			return {
				message:
					`Cannot use ${baseUrl}: the server answered 403 because its Origin check refused ${origin} ` +
					`(ComfyUI on a loopback address only accepts pages from its own host).`,
				hint: corsFix(facts.origin)
			};
		case 'mixed-content':
			return {
				message:
					`This page is served over https, so the browser blocks calls to the plain-http address ${baseUrl} ` +
					`(mixed content).`,
				hint:
					'Put ComfyUI behind an https proxy and use its https:// address, or open Comfy Deck over http ' +
					'(or from ComfyUI itself with --front-end-root).'
			};
		case 'not-comfyui':
			return {
				message: `${baseUrl} answered, but not like a ComfyUI server${detail ? ` (${detail})` : ''}.`,
				hint:
					'Check the address: it must point at ComfyUI itself (port 8188 by default) or at the path a proxy ' +
					'forwards to it, e.g. https://host/comfy/.'
			};
		case 'auth':
			return {
				message: `${baseUrl} refused the credentials${status ? ` (HTTP ${status})` : ''}.`,
				hint:
					'Check the token in this server’s settings: a proxy in front of ComfyUI needs the token it expects ' +
					'(sent as "Authorization: Bearer" and as ?token= on the WebSocket).'
			};
		case 'unsafe-port':
			return {
				message:
					`Cannot use ${baseUrl}: browsers refuse to connect to port ${new URL(baseUrl).port} ` +
					`(ERR_UNSAFE_PORT), whatever answers there.`,
				hint: 'Start ComfyUI on another port (8188 is its default: --port 8188) and change the address.'
			};
		case 'timeout':
			return {
				message: `${baseUrl} did not answer within ${Math.round((facts.timeoutMs ?? 0) / 100) / 10} s.`,
				hint: 'The server or the network may be busy (a model load can stall it briefly); it will be tried again.'
			};
	}
}

/** Why a fetch threw, in words (undici hides the reason, ECONNREFUSED or ENOTFOUND, in `cause`). */
export function describeCause(cause: Error): string {
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
