import { describe, expect, it } from 'vitest';
import { relativizeHtml } from './relativize-build.js';

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
