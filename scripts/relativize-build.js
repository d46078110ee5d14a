#!/usr/bin/env node
// SvelteKit 2.70 with `router.type: 'hash'` writes root-absolute URLs (/_app/…, /favicon.svg) into
// index.html although its runtime computes the base relatively. Absolute URLs break the build under a
// subpath (/deck/), so rewrite every root-absolute URL in index.html to a relative one.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Rewrites root-absolute URLs in an HTML document to document-relative ones.
 * Protocol-relative URLs (`//host/x`) are left alone.
 * @param {string} html
 */
export function relativizeHtml(html) {
	return html.replace(/\b(href|src)="\/(?!\/)/g, '$1="./').replace(/\bimport\("\/(?!\/)/g, 'import("./');
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const dir = process.argv[2] ?? 'build';
	const file = join(dir, 'index.html');
	const before = await readFile(file, 'utf8');
	const after = relativizeHtml(before);
	if (/(?:href|src)="\/(?!\/)|import\("\/(?!\/)/.test(after)) {
		console.error(`relativize-build: ${file} still has root-absolute URLs`);
		process.exit(1);
	}
	await writeFile(file, after);
	console.log(`relativize-build: ${file} now uses relative URLs only`);
}
