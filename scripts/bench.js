#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts, prints a table and writes bench/results.json.
// A benchmark module exports `name` and `run()` returning figures; a figure that misses its target is
// reported like any other (marked "MISSED"), never hidden, and the run exits 1: the bench is its own check, not
// a test (`npm test` never runs it).
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';

/** @typedef {{ name: string, value: number, unit: string, target?: number, better?: 'lower' | 'higher' }} Figure */

const only = process.argv[2];
const files = readdirSync('bench')
	.filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
	.sort();
const results = [];
for (const file of files) {
	const mod = await tsImport(resolve('bench', file), import.meta.url);
	process.stdout.write(`running ${file}… `);
	const started = Date.now();
	/** @type {Figure[]} */
	const figures = await mod.run();
	console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
	for (const f of figures) {
		const met =
			f.target === undefined
				? null
				: (f.better ?? 'lower') === 'lower'
					? f.value <= f.target
					: f.value >= f.target;
		results.push({ benchmark: mod.name, ...f, met });
	}
}

const rows = results.map((r) => [
	r.benchmark,
	r.name,
	`${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}`,
	r.target === undefined ? '' : `${(r.better ?? 'lower') === 'lower' ? '≤' : '≥'} ${r.target} ${r.unit}`,
	r.met === null ? '' : r.met ? 'met' : 'MISSED'
]);
const head = ['benchmark', 'figure', 'value', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const r of rows) console.log(line(r));

await writeFile(
	'bench/results.json',
	JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2) + '\n'
);
console.log('\nWrote bench/results.json');
const missed = results.filter((r) => r.met === false);
if (missed.length) {
	console.error(`${missed.length} figure(s) MISSED their target: ${missed.map((r) => r.name).join('; ')}`);
	process.exitCode = 1;
}
