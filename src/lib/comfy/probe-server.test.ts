import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpExchanges, loadTranscript, recordedResponse } from '../../../tests/core/transcripts';
import { probeServer } from './probe-server';

const BASE = 'http://127.0.0.1:8188/';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
	server.resetHandlers();
	vi.useRealTimers();
});
afterAll(() => server.close());

function recorded(scenario: 'a_connect' | 'j_cors_disabled', label: string | null, path: string) {
	const exchange = httpExchanges(loadTranscript(scenario)).find(
		(e) => e.request.path === path && (label === null || e.label === label)
	);
	if (!exchange) throw new Error(`no ${path} in ${scenario}`);
	return exchange;
}

/**
 * A browser's fetch for a cross-origin server without CORS headers: cors mode throws, no-cors resolves. With
 * `frontPageReadable`, the server's front page (its base URL) carries CORS headers: a web server, not ComfyUI.
 */
function browserFetchWithoutCors(serverUp: boolean, frontPageReadable = false) {
	return vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
		if (init?.mode === 'no-cors' && serverUp) return new Response(null, { status: 200 });
		if (frontPageReadable && !String(url).includes('/api/'))
			return new Response('<!doctype html><title>Welcome to nginx!</title>', { status: 200 });
		throw new TypeError('Failed to fetch');
	});
}

describe('probeServer', () => {
	it('reports the system stats and the latency of a working server, measured from the request start', async () => {
		vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
		vi.advanceTimersByTime(5_000);
		const answer = recordedResponse(recorded('a_connect', null, '/system_stats'));
		// The server takes 137 ms to answer; the 5 s before the probe started do not count.
		const fetch = vi.fn(async () => {
			vi.advanceTimersByTime(137);
			return answer;
		});
		const result = await probeServer({ baseUrl: 'http://127.0.0.1:8188', fetch });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.systemStats.system.comfyui_version).toBe('0.8.0');
		expect(result.latencyMs).toBe(137);
	});

	it('diagnoses the recorded 403 of the Origin check and says how to fix it', async () => {
		const refusal = recorded('j_cors_disabled', 'GET with foreign Origin', '/system_stats');
		server.use(mswHttp.get(`${BASE}api/system_stats`, () => recordedResponse(refusal)));
		const result = await probeServer({ baseUrl: BASE, pageUrl: 'http://localhost:5173/#/settings' });
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'origin-check', status: 403 } });
		if (result.ok) return;
		expect(result.error.message).toContain('403');
		expect(result.error.hint).toContain('--enable-cors-header http://localhost:5173');
		expect(result.error.hint).toContain('--front-end-root');
	});

	it('tells CORS apart from a dead server with a no-cors request (non-loopback server)', async () => {
		const fetch = browserFetchWithoutCors(true);
		const result = await probeServer({
			baseUrl: 'http://gpu-box.lan:8188',
			fetch,
			pageUrl: 'http://deck.lan/'
		});
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'cors' } });
		expect(fetch).toHaveBeenCalledWith(
			'http://gpu-box.lan:8188/api/system_stats',
			expect.objectContaining({ mode: 'no-cors' })
		);
		if (!result.ok) expect(result.error.hint).toContain('--enable-cors-header http://deck.lan');
	});

	it('tells a web server that is not ComfyUI from a ComfyUI without CORS when its pages are readable', async () => {
		const result = await probeServer({
			baseUrl: 'http://gpu-box.lan:8080',
			fetch: browserFetchWithoutCors(true, true),
			pageUrl: 'http://deck.lan/'
		});
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'not-comfyui' } });
		if (result.ok) return;
		expect(result.error.message).toContain('not like a ComfyUI server');
		expect(result.error.message).not.toContain('CORS');
		expect(result.error.hint).toContain('port 8188');
	});

	it('says a port browsers refuse is refused, without sending anything', async () => {
		for (const port of [9, 6000]) {
			const fetch = vi.fn();
			const result = await probeServer({
				baseUrl: `http://gpu-box.lan:${port}`,
				fetch,
				pageUrl: 'http://deck.lan/'
			});
			expect(result).toMatchObject({ ok: false, error: { diagnosis: 'unsafe-port' } });
			if (result.ok) return;
			expect(result.error.message).toContain(`port ${port} (ERR_UNSAFE_PORT)`);
			expect(result.error.hint).toContain('--port 8188');
			expect(fetch).not.toHaveBeenCalled();
		}
	});

	it('calls a loopback server that answers no-cors but not cors the Origin check', async () => {
		const result = await probeServer({
			baseUrl: BASE,
			fetch: browserFetchWithoutCors(true),
			pageUrl: 'http://localhost:4173/'
		});
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'origin-check' } });
	});

	it('reports unreachable when even a no-cors request fails', async () => {
		const result = await probeServer({
			baseUrl: 'http://gpu-box.lan:8188',
			fetch: browserFetchWithoutCors(false),
			pageUrl: 'http://deck.lan/'
		});
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'unreachable' } });
		if (!result.ok) expect(result.error.message).toContain('Cannot reach http://gpu-box.lan:8188/');
	});

	it('spots mixed content without sending anything', async () => {
		const fetch = vi.fn();
		const result = await probeServer({
			baseUrl: 'http://gpu-box.lan:8188',
			fetch,
			pageUrl: 'https://deck.example/'
		});
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'mixed-content' } });
		expect(fetch).not.toHaveBeenCalled();
	});

	it('does not call a loopback server from an https page mixed content (browsers allow it)', async () => {
		server.use(
			mswHttp.get(`${BASE}api/system_stats`, () =>
				recordedResponse(recorded('a_connect', null, '/system_stats'))
			)
		);
		const result = await probeServer({ baseUrl: BASE, pageUrl: 'https://deck.example/' });
		expect(result.ok).toBe(true);
	});

	it('recognises a web server that is not ComfyUI', async () => {
		server.use(
			mswHttp.get(`${BASE}api/system_stats`, () => HttpResponse.html('<!doctype html><title>NAS</title>'))
		);
		const result = await probeServer({ baseUrl: BASE });
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'not-comfyui' } });
	});

	it('recognises a 404 for the stats route as not ComfyUI', async () => {
		server.use(mswHttp.get(`${BASE}api/system_stats`, () => new HttpResponse('Not Found', { status: 404 })));
		expect(await probeServer({ baseUrl: BASE })).toMatchObject({
			ok: false,
			error: { diagnosis: 'not-comfyui' }
		});
	});

	it('reports refused credentials', async () => {
		server.use(
			mswHttp.get(
				'https://proxy.example/comfy/api/system_stats',
				() => new HttpResponse(null, { status: 401 })
			)
		);
		const result = await probeServer({ baseUrl: 'https://proxy.example/comfy/', token: 'wrong' });
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'auth', status: 401 } });
	});

	it('reports a server that does not answer in time', async () => {
		vi.useFakeTimers();
		const fetch = (_url: RequestInfo | URL, init?: RequestInit) =>
			new Promise<Response>((_resolve, reject) =>
				init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
			);
		const pending = probeServer({ baseUrl: BASE, fetch, timeoutMs: 2000 });
		await vi.advanceTimersByTimeAsync(2000);
		const result = await pending;
		expect(result).toMatchObject({ ok: false, error: { diagnosis: 'timeout' } });
		if (!result.ok) expect(result.error.message).toContain('2 s');
	});

	it('resolves (never throws) when the check is cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		const result = await probeServer({ baseUrl: BASE, signal: controller.signal, fetch: vi.fn() });
		expect(result.ok).toBe(false);
	});
});
