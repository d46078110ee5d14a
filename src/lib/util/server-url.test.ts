import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, pageBaseUrl, serverLinkOffer, withoutServerParam } from './server-url';

describe('normalizeServerUrl', () => {
	it.each([
		['127.0.0.1:8188', 'http://127.0.0.1:8188/'],
		['  http://box:8188  ', 'http://box:8188/'],
		['https://host/comfy', 'https://host/comfy/'],
		['https://host/comfy/?x=1#y', 'https://host/comfy/'],
		// One spelling per server: the host's case, a default port and a missing slash do not make another.
		['HTTP://Box.LAN:80/comfy', 'http://box.lan/comfy/'],
		['https://box:443', 'https://box/']
	])('reads %s as %s', (input, expected) => {
		expect(normalizeServerUrl(input)).toEqual({ ok: true, url: expected });
	});

	it.each([
		['', 'Enter the address'],
		['ftp://box', 'http:// or https://'],
		['http://user:pw@box:8188', 'Token field'],
		['http://exa mple', 'not a web address'],
		['box:9', 'refuse to connect to port 9 (ERR_UNSAFE_PORT'],
		['http://box:6000/', 'refuse to connect to port 6000 (ERR_UNSAFE_PORT']
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

describe('serverLinkOffer', () => {
	const offer = (pageUrl: string, configured: string[] = [], sameOrigin: string | null = null) =>
		serverLinkOffer({ pageUrl, sameOrigin, configured });

	it('asks about the linked server by its address only (a token in the link is never read)', () => {
		const link = `http://deck/?server=${encodeURIComponent('box:8188')}&token=secret#/settings`;
		expect(offer(link)).toEqual({ kind: 'ask', url: 'http://box:8188/' });
	});

	it('asks nothing when there is no parameter or the server is already in use', () => {
		expect(offer('http://deck/#/')).toBeNull();
		expect(offer('http://deck/?server=box:8188', ['http://box:8188/'])).toBeNull();
		expect(offer('http://h:8188/?server=http://h:8188', [], 'http://h:8188/')).toBeNull();
	});

	it('says why an address cannot be used, refusing credentials in it', () => {
		const link = `http://deck/?server=${encodeURIComponent('http://me:pw@box:8188')}`;
		expect(offer(link)).toEqual({
			kind: 'invalid',
			given: 'http://me:pw@box:8188',
			message: expect.stringContaining('Token field')
		});
	});
});

describe('withoutServerParam', () => {
	it('removes only the server parameter, keeping the route in the hash', () => {
		expect(withoutServerParam('http://deck/?server=box&x=1#/settings')).toBe('http://deck/?x=1#/settings');
		expect(withoutServerParam('http://deck/deck/?server=box#/')).toBe('http://deck/deck/#/');
	});
});
