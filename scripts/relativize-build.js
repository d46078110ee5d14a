#!/usr/bin/env node
// SvelteKit 2.70 with `router.type: 'hash'` writes root-absolute URLs (/_app/…, /favicon.svg) into
// index.html although its runtime computes the base relatively. Absolute URLs break the build under a
// subpath (/deck/), so rewrite every root-absolute URL in index.html to a relative one.
// Rewriting changes the inline bootstrap script, so the sha256 that `kit.csp` put into the CSP meta tag
// no longer matches it: the script hashes are computed again from the final text (docs/decisions/006).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Rewrites root-absolute URLs in an HTML document to document-relative ones.
 * Protocol-relative URLs (`//host/x`) are left alone.
 * @param {string} html
 */
export function relativizeHtml(html) {
	return html.replace(/\b(href|src)="\/(?!\/)/g, '$1="./').replace(/\bimport\("\/(?!\/)/g, 'import("./');
}

/** @param {string} text */
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The static `style="…"` attributes in the app's compiled templates (SvelteKit's route announcer has one). The
 * browser parses templates as HTML, so each is an inline style the policy must name by hash.
 * @param {string[]} scripts the text of every built JS file
 */
export function templateStyles(scripts) {
	const styles = new Set();
	for (const text of scripts) {
		for (const m of text.matchAll(/\bstyle="([^"\\<>]*)"/g)) styles.add(m[1] ?? '');
	}
	return [...styles].sort();
}

/** @param {string} html */
function inlineScripts(html) {
	return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
}

/**
 * Replaces the script hashes of the Content-Security-Policy meta tag with the sha256 of every inline script
 * as it is now, and names each static style attribute of the templates by hash in style-src (`'unsafe-hashes'`
 * lets a hash match an attribute, and only an attribute with exactly that text). Throws when the document has
 * no CSP meta tag: a build without its policy must not ship.
 * @param {string} html
 * @param {string[]} [styles] style attribute texts, from templateStyles()
 */
export function rehashCsp(html, styles = []) {
	const meta = /(<meta http-equiv="content-security-policy" content=")([^"]*)(")/i.exec(html);
	if (!meta) throw new Error('no Content-Security-Policy meta tag (kit.csp in svelte.config.js)');
	const policy = meta[2] ?? '';
	const directives = policy.split(';').map((d) => d.trim());
	/** @param {string} name @param {string[]} hashes */
	const setHashes = (name, hashes) => {
		const index = directives.findIndex((d) => d.startsWith(`${name} `));
		if (index < 0) throw new Error(`the Content-Security-Policy has no ${name}`);
		const sources = (directives[index] ?? '')
			.split(/\s+/)
			.slice(1)
			.filter((s) => !s.startsWith("'sha256-") && s !== "'unsafe-hashes'");
		directives[index] = [name, ...sources, ...hashes].join(' ');
	};
	setHashes('script-src', inlineScripts(html).map(sha256));
	setHashes('style-src', styles.length ? ["'unsafe-hashes'", ...styles.map(sha256)] : []);
	return html.replace(meta[0], `${meta[1]}${directives.join('; ')}${meta[3]}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const dir = process.argv[2] ?? 'build';
	const file = join(dir, 'index.html');
	const before = await readFile(file, 'utf8');
	const chunks = join(dir, '_app', 'immutable');
	const files = (await readdir(chunks, { recursive: true })).filter((f) => f.endsWith('.js'));
	const scripts = await Promise.all(files.map((f) => readFile(join(chunks, f), 'utf8')));
	const after = rehashCsp(relativizeHtml(before), templateStyles(scripts));
	if (/(?:href|src)="\/(?!\/)|import\("\/(?!\/)/.test(after)) {
		console.error(`relativize-build: ${file} still has root-absolute URLs`);
		process.exit(1);
	}
	await writeFile(file, after);
	console.log(`relativize-build: ${file} now uses relative URLs only; its CSP hashes its inline scripts`);
}
