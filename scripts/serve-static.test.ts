import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from './serve-static.js';

describe('the static server behind npm start and the hosting e2e', () => {
	let server: { url: string; close: () => Promise<void> };
	let origin = '';

	beforeAll(async () => {
		const root = mkdtempSync(join(tmpdir(), 'serve-static-'));
		writeFileSync(join(root, 'index.html'), '<!doctype html><title>Deck</title>');
		mkdirSync(join(root, 'sub'));
		server = await startStaticServer({ root, prefix: '/deck/' });
		origin = new URL(server.url).origin;
	});

	afterAll(() => server.close());

	const status = async (path: string) => (await fetch(`${origin}${path}`)).status;

	it('answers the mount with index.html and has no directory index, like ComfyUI', async () => {
		expect(await status('/deck/')).toBe(200);
		expect(await status('/deck/sub')).toBe(404);
		expect(await status('/elsewhere/')).toBe(404);
	});

	it('keeps answering after odd paths (these once crashed its handler)', async () => {
		expect(await status('//')).toBe(404);
		expect(await status('//deck/')).toBe(404);
		expect(await status('/deck/%E0%A4%A')).toBe(400);
		expect(await status('/deck/')).toBe(200);
	});

	it('serves nothing outside its folder', async () => {
		expect(await status('/deck/..%2f..%2fetc%2fpasswd')).not.toBe(200);
	});
});
