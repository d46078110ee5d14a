import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
	vi.doUnmock('./diagnosis-text');
	vi.resetModules();
});

describe('a failed request when the words of its diagnosis cannot be loaded (this device went offline)', () => {
	it('still rejects with a connection error that names the server and the diagnosis', async () => {
		vi.resetModules();
		vi.doMock('./diagnosis-text', () => {
			throw new Error('Failed to fetch dynamically imported module');
		});
		const { createHttpClient } = await import('./http');
		const { ComfyConnectionError } = await import('./errors');
		const http = createHttpClient({
			baseUrl: 'http://box:8188',
			retries: 0,
			fetch: () => Promise.reject(new TypeError('Failed to fetch'))
		});
		const error: unknown = await http
			.request({ method: 'GET', path: 'queue', expect: 'json' })
			.catch((e) => e);
		expect(error).toBeInstanceOf(ComfyConnectionError);
		expect(error).toMatchObject({ diagnosis: 'unreachable', baseUrl: 'http://box:8188/' });
		expect((error as Error).message).toBe('Cannot use http://box:8188/ (unreachable).');
	});
});
