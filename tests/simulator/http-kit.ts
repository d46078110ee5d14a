// Request/reply shapes shared by the simulator's routes, and the reply builders that reproduce aiohttp's
// exact status lines, bodies and headers (`web.json_response`, `web.Response()`, raised HTTP errors).
import type { IncomingHttpHeaders } from 'node:http';
import { pyDumps } from './py-format';

/** One parsed HTTP request, with the `/api` prefix already stripped from `path`. */
export interface SimRequest {
	method: string;
	/** Route path without the `/api` prefix. */
	path: string;
	/** Path exactly as requested (percent-decoded). */
	rawPath: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	body: Buffer;
	/** Values of `{name}` segments in the matched route pattern. */
	params: Record<string, string>;
}

/** What a route answers. */
export interface SimReply {
	status: number;
	headers?: Record<string, string>;
	body?: Buffer | string;
	/**
	 * The reply stands for an exception raised past ComfyUI's middlewares (a crashed handler, an unknown
	 * route): aiohttp answers it without the CORS headers.
	 */
	raised?: boolean;
}

export type RouteHandler = (req: SimRequest) => SimReply | Promise<SimReply>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** `web.json_response(value, status=…)`. */
export function json(value: unknown, status = 200): SimReply {
	return { status, headers: { 'Content-Type': JSON_TYPE }, body: pyDumps(value) };
}

/** `web.Response(status=…)`: no body and no Content-Type. */
export function empty(status = 200): SimReply {
	return { status };
}

/** aiohttp's answer when a handler raises (e.g. `await request.json()` on a body that is not JSON). */
export function internalError(): SimReply {
	return {
		status: 500,
		headers: { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' },
		body: '500 Internal Server Error\n\nServer got itself in trouble',
		raised: true
	};
}

const REASONS: Record<number, string> = {
	200: 'OK',
	304: 'Not Modified',
	400: 'Bad Request',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	413: 'Request Entity Too Large',
	500: 'Internal Server Error'
};

/** A raised `web.HTTPException` (`404: Not Found`), which skips the CORS middleware. */
export function raisedStatus(status: number): SimReply {
	return {
		status,
		headers: { 'Content-Type': 'text/plain; charset=utf-8' },
		body: `${status}: ${REASONS[status] ?? 'Error'}`,
		raised: true
	};
}

/** Thrown by `parseJsonBody` and friends; the server turns it into `internalError()`. */
export class HandlerCrash extends Error {}

/** `await request.json()`: any body that is not JSON crashes the handler, as in aiohttp. */
export function parseJsonBody(req: SimRequest): unknown {
	try {
		return JSON.parse(req.body.toString('utf8'));
	} catch (error) {
		throw new HandlerCrash(`request body is not JSON: ${String(error)}`);
	}
}

/** Like `parseJsonBody`, but a JSON body that is not an object also crashes (Python's `"x" in data`). */
export function parseJsonObject(req: SimRequest): Record<string, unknown> {
	const data = parseJsonBody(req);
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new HandlerCrash('request body is not a JSON object');
	}
	return data as Record<string, unknown>;
}

/** Python's `int(text)` for query parameters; a bad value crashes the handler. */
export function parseQueryInt(text: string): number {
	const trimmed = text.trim().replace(/_/g, '');
	if (!/^[+-]?\d+$/.test(trimmed)) throw new HandlerCrash(`invalid literal for int(): '${text}'`);
	return Number(trimmed);
}
