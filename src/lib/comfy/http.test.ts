import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from './guard';
import {
	ComfyAbortError,
	ComfyConnectionError,
	ComfyHttpError,
	ComfyProtocolError,
	ComfyTimeoutError
} from './errors';
import { createHttpClient, normalizeBaseUrl } from './http';
import { createLogger } from './logger';
import { zQueue } from './schemas';
import { httpExchanges, loadTranscript } from '../../../tests/core/transcripts';

const BASE = 'http://comfy.test:8188/';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
	server.resetHandlers();
	vi.useRealTimers();
});
afterAll(() => server.close());

const noRetryDelay = { baseMs: 0, capMs: 0 };

describe('createHttpClient', () => {
	it('keeps a proxy path prefix and calls the /api/ routes under it', async () => {
		const seen: string[] = [];
		server.use(
			mswHttp.get('https://box.example/comfy/api/queue', ({ request }) => {
				seen.push(request.url);
				return HttpResponse.json({ queue_running: [], queue_pending: [] });
			})
		);
		const client = createHttpClient({ baseUrl: 'https://box.example/comfy' });
		expect(client.baseUrl).toBe('https://box.example/comfy/');
		await expect(client.request({ method: 'GET', path: 'queue', schema: zQueue })).resolves.toEqual({
			queue_running: [],
			queue_pending: []
		});
		expect(seen).toEqual(['https://box.example/comfy/api/queue']);
	});

	it('sends the token as a bearer header', async () => {
		let auth: string | null = null;
		server.use(
			mswHttp.get(`${BASE}api/queue`, ({ request }) => {
				auth = request.headers.get('authorization');
				return HttpResponse.json({ queue_running: [], queue_pending: [] });
			})
		);
		await createHttpClient({ baseUrl: BASE, token: 's3cret' }).request({
			method: 'GET',
			path: 'queue',
			schema: zQueue
		});
		expect(auth).toBe('Bearer s3cret');
	});

	it('rejects an address that is not a URL with a message saying what to type', () => {
		expect(() => normalizeBaseUrl('not an address')).toThrow(/not a valid server address/);
		expect(() => normalizeBaseUrl('ftp://box:8188')).toThrow(/http:\/\/ or https:\/\//);
	});

	it('retries a GET after 5xx answers, then succeeds', async () => {
		let calls = 0;
		server.use(
			mswHttp.get(`${BASE}api/queue`, () =>
				++calls < 3
					? new HttpResponse('busy', { status: 503 })
					: HttpResponse.json({ queue_running: [], queue_pending: [] })
			)
		);
		const client = createHttpClient({ baseUrl: BASE, backoff: noRetryDelay });
		await client.request({ method: 'GET', path: 'queue', schema: zQueue });
		expect(calls).toBe(3);
	});

	it('gives up after the retry limit with an HTTP error that quotes the body', async () => {
		let calls = 0;
		server.use(
			mswHttp.get(`${BASE}api/queue`, () => {
				calls++;
				return new HttpResponse('500 Internal Server Error\n\nServer got itself in trouble', {
					status: 500,
					headers: { 'Content-Type': 'text/plain; charset=utf-8' }
				});
			})
		);
		const client = createHttpClient({ baseUrl: BASE, retries: 2, backoff: noRetryDelay });
		const error = await client
			.request({ method: 'GET', path: 'queue', schema: zQueue })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ComfyHttpError);
		expect(error).toMatchObject({ status: 500, route: 'GET /api/queue' });
		expect((error as Error).message).toContain('500 Internal Server Error');
		expect((error as ComfyHttpError).hint).toMatch(/console log/);
		expect(calls).toBe(3);
	});

	it('never retries a non-idempotent POST', async () => {
		let calls = 0;
		server.use(
			mswHttp.post(`${BASE}api/prompt`, () => {
				calls++;
				return new HttpResponse('oops', { status: 502 });
			})
		);
		const client = createHttpClient({ baseUrl: BASE, backoff: noRetryDelay });
		await expect(
			client.request({ method: 'POST', path: 'prompt', json: {}, expect: 'empty', idempotent: false })
		).rejects.toBeInstanceOf(ComfyHttpError);
		expect(calls).toBe(1);
	});

	it('turns a fetch TypeError into a connection error and retries it for idempotent calls', async () => {
		const fetch = vi.fn(async () => {
			throw new TypeError('Failed to fetch');
		});
		const client = createHttpClient({ baseUrl: BASE, fetch, retries: 2, backoff: noRetryDelay });
		const error = await client
			.request({ method: 'GET', path: 'queue', schema: zQueue })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ComfyConnectionError);
		expect(error).toMatchObject({ diagnosis: 'unreachable', baseUrl: BASE });
		expect((error as Error).message).toContain(`Cannot reach ${BASE}`);
		expect(fetch).toHaveBeenCalledTimes(3);
	});

	it('explains ECONNREFUSED from Node', async () => {
		const fetch = async () => {
			throw new TypeError('fetch failed', {
				cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })
			});
		};
		const client = createHttpClient({ baseUrl: BASE, fetch, retries: 0 });
		await expect(client.request({ method: 'GET', path: 'queue', schema: zQueue })).rejects.toThrow(
			/connection was refused/
		);
	});

	it('names the route and the field when an answer has the wrong shape', async () => {
		server.use(
			mswHttp.get(`${BASE}api/queue`, () => HttpResponse.json({ queue_running: 'nope', queue_pending: [] }))
		);
		const error = await createHttpClient({ baseUrl: BASE })
			.request({ method: 'GET', path: 'queue', schema: zQueue })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ComfyProtocolError);
		expect(error).toMatchObject({ route: 'GET /api/queue', fields: ['queue_running'] });
		expect((error as Error).message).toMatch(/GET \/api\/queue .*queue_running/);
	});

	it('reports an answer that is not JSON', async () => {
		server.use(mswHttp.get(`${BASE}api/queue`, () => HttpResponse.html('<html>router login</html>')));
		await expect(
			createHttpClient({ baseUrl: BASE }).request({ method: 'GET', path: 'queue', schema: zQueue })
		).rejects.toMatchObject({ fields: ['(body)'] });
	});

	it('times out a call that gets no answer', async () => {
		vi.useFakeTimers();
		const fetch = (_url: RequestInfo | URL, init?: RequestInit) =>
			new Promise<Response>((_resolve, reject) => {
				init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
			});
		const client = createHttpClient({ baseUrl: BASE, fetch, timeoutMs: 1000 });
		const pending = client.request({ method: 'GET', path: 'queue', schema: zQueue }).catch((e: unknown) => e);
		await vi.advanceTimersByTimeAsync(1000);
		const error = await pending;
		expect(error).toBeInstanceOf(ComfyTimeoutError);
		expect(error).toMatchObject({ operation: 'GET /api/queue', timeoutMs: 1000 });
	});

	it('stops at once when the caller aborts', async () => {
		const controller = new AbortController();
		const fetch = (_url: RequestInfo | URL, init?: RequestInit) =>
			new Promise<Response>((_resolve, reject) => {
				init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
			});
		const pending = createHttpClient({ baseUrl: BASE, fetch })
			.request({ method: 'GET', path: 'queue', schema: zQueue, signal: controller.signal })
			.catch((e: unknown) => e);
		controller.abort();
		const error = await pending;
		expect(error).toBeInstanceOf(ComfyAbortError);
		expect((error as Error).name).toBe('AbortError');
	});

	it('diagnoses a 403 with an empty body as the Origin check', async () => {
		server.use(mswHttp.get(`${BASE}api/queue`, () => new HttpResponse(null, { status: 403 })));
		await expect(
			createHttpClient({ baseUrl: BASE }).request({ method: 'GET', path: 'queue', schema: zQueue })
		).rejects.toMatchObject({ diagnosis: 'origin-check', status: 403 });
	});

	it('sends only request headers ComfyUI’s CORS answer allows (j_cors_enabled), so preflights pass', async () => {
		const preflight = httpExchanges(loadTranscript('j_cors_enabled')).find(
			(e) => e.request.method === 'OPTIONS'
		);
		const allowed = (preflight?.response.headers['Access-Control-Allow-Headers'] ?? '')
			.split(',')
			.map((h) => h.trim().toLowerCase());
		expect(allowed).toEqual(['content-type', 'authorization']);
		const sent = new Set<string>();
		server.use(
			mswHttp.all(`${BASE}api/*`, ({ request }) => {
				for (const [name] of request.headers) sent.add(name);
				return HttpResponse.json({ queue_running: [], queue_pending: [] });
			})
		);
		const http = createHttpClient({ baseUrl: BASE, token: 'secret' });
		await http.request({ method: 'GET', path: 'queue', schema: zQueue });
		await http.request({ method: 'POST', path: 'queue', json: { clear: true }, expect: 'json' });
		const form = new FormData();
		form.set('image', new Blob([new Uint8Array(4)], { type: 'image/png' }), 'a.png');
		await http.request({ method: 'POST', path: 'upload/image', form, expect: 'json' });
		// Headers a browser sends without asking (CORS-safelisted) need no permission.
		const safelisted = ['accept', 'accept-language', 'content-language'];
		expect([...sent].filter((name) => !allowed.includes(name) && !safelisted.includes(name))).toEqual([]);
		expect(sent).toContain('authorization');
	});

	it('diagnoses a 401 as refused credentials', async () => {
		server.use(mswHttp.get(`${BASE}api/queue`, () => new HttpResponse('login', { status: 401 })));
		await expect(
			createHttpClient({ baseUrl: BASE, token: 'x' }).request({
				method: 'GET',
				path: 'queue',
				schema: zQueue
			})
		).rejects.toMatchObject({ diagnosis: 'auth' });
	});

	it('logs failures into the ring buffer', async () => {
		server.use(mswHttp.get(`${BASE}api/queue`, () => new HttpResponse('x', { status: 404 })));
		const logger = createLogger();
		await createHttpClient({ baseUrl: BASE, logger })
			.request({ method: 'GET', path: 'queue', schema: z.unknown() })
			.catch(() => undefined);
		expect(logger.entries().map((e) => `${e.level} ${e.scope}`)).toContain('warn http');
	});
});
