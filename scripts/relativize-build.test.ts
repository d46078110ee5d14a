import { describe, expect, it } from 'vitest';
import { rehashCsp, relativizeHtml, templateStyles } from './relativize-build.js';

describe('relativizeHtml', () => {
	it('makes root-absolute asset URLs and dynamic imports relative so the build works under /deck/', () => {
		const html =
			'<link href="/_app/a.js" rel="modulepreload"><link rel="icon" href="/favicon.svg">' +
			'<script>import("/_app/immutable/entry/start.js")</script>';
		expect(relativizeHtml(html)).toBe(
			'<link href="./_app/a.js" rel="modulepreload"><link rel="icon" href="./favicon.svg">' +
				'<script>import("./_app/immutable/entry/start.js")</script>'
		);
	});

	it('leaves protocol-relative and absolute URLs alone', () => {
		const html = '<a href="//cdn.example/x.js"></a><a href="https://example.com/x"></a>';
		expect(relativizeHtml(html)).toBe(html);
	});
});

describe('rehashCsp', () => {
	const csp = (scriptSrc: string) =>
		`<meta http-equiv="content-security-policy" content="default-src 'self'; script-src ${scriptSrc}; style-src 'self'">`;

	it('replaces a stale script hash with the sha256 of the script as it is after relativizing', () => {
		const html = `<head>${csp("'self' 'sha256-stale='")}</head><body><script>import("./a.js")</script></body>`;
		// sha256 of `import("./a.js")`, computed independently with `printf %s 'import("./a.js")' | openssl dgst -sha256 -binary | base64`
		expect(rehashCsp(html)).toContain(
			"script-src 'self' 'sha256-0qJcjfDmmoB7gI+C9CqMfugYz797ZUnRyNRnTi3PtJ0='; style-src 'self'"
		);
		expect(rehashCsp(html)).not.toContain('stale');
	});

	it('hashes every inline script and none that is loaded from a file', () => {
		const html = `${csp("'self'")}<script>a()</script><script type="module" src="./x.js"></script><script>b()</script>`;
		const policy = /script-src ([^;]*)/.exec(rehashCsp(html))?.[1] ?? '';
		expect(policy.split(' ').filter((s) => s.startsWith("'sha256-"))).toHaveLength(2);
	});

	it('names each static style attribute of the templates by hash, and only with unsafe-hashes', () => {
		const styles = templateStyles([
			'const t = `<div aria-live="assertive" style="width: 1px; height: 1px"></div>`;',
			'x.style.cssText = a; const u = `<p style="width: 1px; height: 1px">`'
		]);
		expect(styles).toEqual(['width: 1px; height: 1px']);
		// printf %s 'width: 1px; height: 1px' | openssl dgst -sha256 -binary | base64
		expect(rehashCsp(csp("'self'"), styles)).toContain(
			"style-src 'self' 'unsafe-hashes' 'sha256-atwli42sLpI6ofVyLT7aVrYWggLEHZE66bjL74a5qRo='"
		);
		expect(rehashCsp(csp("'self'"))).toContain("style-src 'self'\"");
	});

	it('refuses a document without a policy, so a build never ships without one', () => {
		expect(() => rehashCsp('<script>a()</script>')).toThrow(/Content-Security-Policy/);
	});
});
