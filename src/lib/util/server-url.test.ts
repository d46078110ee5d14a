import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, pageBaseUrl } from './server-url';

describe('normalizeServerUrl', () => {
	it.each([
		['127.0.0.1:8188', 'http://127.0.0.1:8188/'],
		['  http://box:8188  ', 'http://box:8188/'],
		['https://host/comfy', 'https://host/comfy/'],
		['https://host/comfy/?x=1#y', 'https://host/comfy/']
	])('reads %s as %s', (input, expected) => {
		expect(normalizeServerUrl(input)).toEqual({ ok: true, url: expected });
	});

	it.each([
		['', 'Enter the address'],
		['ftp://box', 'http:// or https://'],
		['http://user:pw@box:8188', 'Token field'],
		['http://exa mple', 'not a web address']
	])('explains what is wrong with %j', (input, fragment) => {
		const result = normalizeServerUrl(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(fragment);
	});
});

describe('pageBaseUrl', () => {
	it('drops the file, query and hash so a subpath deployment keeps its prefix', () => {
		expect(pageBaseUrl('http://h/deck/index.html?server=x#/history')).toBe('http://h/deck/');
		expect(pageBaseUrl('http://h:8188/#/generate')).toBe('http://h:8188/');
	});
});
