#!/usr/bin/env node
// `node scripts/weight.js [--check] [--modules] [build dir]`: what a first visit downloads and what the protocol
// core costs.
//  - first load: every JS and CSS file the landing route (#/, the dashboard) needs before it shows: what
//    build/index.html loads up front (modulepreload links, stylesheets, the bootstrap's import() calls) plus the
//    route's own node and the chunks and CSS the app entry preloads with it; each gzip -9, summed;
//  - core: bench/core-entry.ts (createComfyClient + one generateImage) bundled for the browser by esbuild,
//    minified, gzip -9: the entry and the chunks it imports statically; chunks it loads only on demand (`import()`)
//    are listed apart (`--modules` lists what each module of the core costs, minified).
// Prints both in KB (1000 bytes, as the issue counts); with --check it exits 1 when one is over its budget.
// Needs a build (`npm run build`); no browser.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const FIRST_LOAD_BUDGET_KB = 100;
export const FIRST_LOAD_AIM_KB = 60;
export const CORE_BUDGET_KB = 9;

const gzipKb = (/** @type {Uint8Array} */ bytes) => gzipSync(bytes, { level: 9 }).length / 1000;

/** The JS and CSS files index.html loads up front, relative to the build directory. */
export function initialFiles(buildDir = 'build') {
	const html = readFileSync(join(buildDir, 'index.html'), 'utf8');
	const found = new Set();
	for (const m of html.matchAll(/<link\b[^>]*>/g)) {
		const tag = m[0];
		const href = /href="([^"]+)"/.exec(tag)?.[1];
		if (href && /rel="(modulepreload|stylesheet)"/.test(tag)) found.add(href);
	}
	for (const m of html.matchAll(/(?:import\(|src=)"([^"]+\.js)"/g)) found.add(m[1]);
	return [...found].map((href) => href.replace(/^\.?\//, ''));
}

/**
 * The files SvelteKit loads for route `route` (its node and that node's preloaded chunks and CSS), read from the
 * app entry's `__vite__mapDeps` table, relative to the build directory.
 */
export function routeFiles(buildDir = 'build', route = '/') {
	const entry = initialFiles(buildDir).find((f) => /entry\/app\.[^/]+\.js$/.test(f));
	if (!entry) throw new Error('index.html does not load an app entry');
	const code = readFileSync(join(buildDir, entry), 'utf8');
	const table = /m\.f=(\[[^\]]*\])/.exec(code)?.[1];
	const nodeIndex = new RegExp(`"${route.replace(/[/[\]]/g, '\\$&')}":\\[(\\d+)`).exec(code)?.[1];
	if (!table || nodeIndex === undefined) throw new Error(`cannot find the node of ${route} in ${entry}`);
	/** @type {string[]} */
	const deps = JSON.parse(table);
	const ids = new RegExp(`nodes/${nodeIndex}\\.[^\`"]+[\`"]\\),__vite__mapDeps\\(\\[([\\d,]*)\\]`).exec(
		code
	)?.[1];
	if (ids === undefined) throw new Error(`cannot find the dependencies of node ${nodeIndex}`);
	const base = entry.slice(0, entry.lastIndexOf('/'));
	return ids
		.split(',')
		.filter(Boolean)
		.map((i) => deps[Number(i)])
		.filter((f) => f !== undefined)
		.map((f) => join(base, f));
}

/** First-load weight of the landing route: gzip -9 of every file it needs before it shows, in KB. */
export function firstLoadKb(buildDir = 'build') {
	const preloaded = initialFiles(buildDir);
	const all = [...new Set([...preloaded, ...routeFiles(buildDir, '/')])];
	const gz = (/** @type {string} */ file) => gzipKb(readFileSync(join(buildDir, file)));
	const preloadKb = preloaded.reduce((sum, f) => sum + gz(f), 0);
	const files = all.map((file) => ({
		file,
		kb: gzipKb(readFileSync(join(buildDir, file)))
	}));
	return { kb: files.reduce((sum, f) => sum + f.kb, 0), preloadKb, files };
}

/**
 * The protocol core's weight: esbuild bundle of bench/core-entry.ts, split where the core loads code only when it
 * needs it (`import()`: the words of a connection diagnosis), minified, gzip -9, in KB. `kb` counts the entry and
 * every chunk it imports statically (what one job loads); `lazyKb` the chunks loaded only on demand, each listed.
 */
export async function coreKb() {
	const result = await build({
		entryPoints: [resolve('bench/core-entry.ts')],
		bundle: true,
		splitting: true,
		outdir: 'core-weight',
		minify: true,
		format: 'esm',
		platform: 'browser',
		target: 'es2022',
		write: false,
		metafile: true,
		logLevel: 'silent'
	});
	/** @type {Map<string, Uint8Array>} */
	const contents = new Map(result.outputFiles.map((f) => [relative(process.cwd(), f.path), f.contents]));
	const outputs = result.metafile.outputs;
	const entry = Object.keys(outputs).find((name) => outputs[name]?.entryPoint);
	if (!entry) throw new Error('esbuild wrote no entry');
	/** The entry and what it imports statically, transitively. */
	const eager = new Set([entry]);
	for (const name of eager)
		for (const i of outputs[name]?.imports ?? []) if (i.kind === 'import-statement') eager.add(i.path);
	/** @type {Record<string, number>} */
	const byPackage = {};
	/** @type {Record<string, number>} */
	const byModule = {};
	/** @type {{ file: string; kb: number; minifiedKb: number }[]} */
	const lazy = [];
	let kb = 0;
	let minifiedKb = 0;
	for (const [name, output] of Object.entries(outputs)) {
		const bytes = contents.get(name);
		if (!bytes) throw new Error(`esbuild lists ${name} but wrote no such file`);
		if (!eager.has(name)) {
			lazy.push({
				file: Object.keys(output.inputs).join(' + '),
				kb: gzipKb(bytes),
				minifiedKb: bytes.length / 1000
			});
			continue;
		}
		kb += gzipKb(bytes);
		minifiedKb += bytes.length / 1000;
		for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
			const key = input.includes('node_modules/')
				? (input.split('node_modules/')[1]?.split('/')[0] ?? input)
				: 'src';
			byPackage[key] = (byPackage[key] ?? 0) + bytesInOutput;
			byModule[input] = (byModule[input] ?? 0) + bytesInOutput;
		}
	}
	return { kb, minifiedKb, byPackage, byModule, lazy };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const check = process.argv.includes('--check');
	const buildDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'build';
	const first = firstLoadKb(buildDir);
	const core = await coreKb();
	const modules = process.argv.includes('--modules');
	for (const f of first.files) console.log(`  ${f.kb.toFixed(1).padStart(6)} KB  ${f.file}`);
	console.log(
		`first load (landing route): ${first.kb.toFixed(1)} KB gzip -9 in ${first.files.length} files, of which index.html preloads ${first.preloadKb.toFixed(1)} KB (budget ${FIRST_LOAD_BUDGET_KB}, aim ${FIRST_LOAD_AIM_KB})`
	);
	const parts = Object.entries(core.byPackage)
		.map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} KB`)
		.join(', ');
	if (modules)
		for (const [input, bytes] of Object.entries(core.byModule).sort((a, b) => b[1] - a[1]))
			console.log(`  ${(bytes / 1000).toFixed(1).padStart(6)} KB minified  ${input}`);
	for (const chunk of core.lazy)
		console.log(
			`  loaded on demand: ${chunk.kb.toFixed(1)} KB gzip -9 (${chunk.minifiedKb.toFixed(1)} KB minified)  ${chunk.file}`
		);
	console.log(
		`core (createComfyClient + generateImage): ${core.kb.toFixed(1)} KB gzip -9, ${core.minifiedKb.toFixed(1)} KB minified (${parts}) (budget ${CORE_BUDGET_KB})`
	);
	if (check && (first.kb > FIRST_LOAD_BUDGET_KB || core.kb > CORE_BUDGET_KB)) {
		console.error('over budget');
		process.exitCode = 1;
	}
}
