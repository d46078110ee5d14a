import { describe, expect, it, vi } from 'vitest';
import { detectSameOriginComfy } from './same-origin';

const stats = { system: { comfyui_version: '0.8.0' }, devices: [] };

function fakeFetch(routes: Record<string, () => Response>) {
	return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
		const key = `${init?.method ?? 'GET'} ${String(input)}`;
		const route = routes[key];
		return route ? route() : new Response('not found', { status: 404 });
	});
}

describe('detectSameOriginComfy', () => {
	it('uses the page origin when ComfyUI serves the page', async () => {
		const fetch = fakeFetch({
			'HEAD http://127.0.0.1:8188/': () =>
				new Response(null, { headers: { server: 'Python/3.11 aiohttp/3.14.3' } }),
			'GET http://127.0.0.1:8188/api/system_stats': () => Response.json(stats)
		});
		expect(await detectSameOriginComfy({ pageUrl: 'http://127.0.0.1:8188/#/history', fetch })).toBe(
			'http://127.0.0.1:8188/'
		);
	});

	it('never probes the API on an ordinary static host (no 404 in the log)', async () => {
		const fetch = fakeFetch({
			'HEAD http://h/deck/': () => new Response(null, { headers: { server: 'nginx' } })
		});
		expect(await detectSameOriginComfy({ pageUrl: 'http://h/deck/index.html', fetch })).toBeNull();
		expect(fetch).toHaveBeenCalledTimes(1);
	});

	it('rejects an aiohttp server whose system_stats is not ComfyUI-shaped', async () => {
		const fetch = fakeFetch({
			'HEAD http://h/': () => new Response(null, { headers: { server: 'aiohttp' } }),
			'GET http://h/api/system_stats': () => Response.json({ hello: 'world' })
		});
		expect(await detectSameOriginComfy({ pageUrl: 'http://h/', fetch })).toBeNull();
	});

	it('treats a network failure as "no server here"', async () => {
		const fetch = vi.fn(async () => {
			throw new TypeError('Failed to fetch');
		});
		expect(await detectSameOriginComfy({ pageUrl: 'http://h/', fetch })).toBeNull();
	});
});
