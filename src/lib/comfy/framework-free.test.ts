import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.(ts|js)$/.test(entry.name) ? [path] : [];
	});
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(code: string): string[] {
	const found: string[] = [];
	const patterns = [
		/\b(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g,
		/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
		/\bimport\s*['"]([^'"]+)['"]/g
	];
	for (const pattern of patterns)
		for (const match of code.matchAll(pattern)) if (match[1]) found.push(match[1]);
	return found;
}

// This file itself holds forbidden specifiers as test data.
const files = sourceFiles(ROOT).filter((file) => file !== fileURLToPath(import.meta.url));
const isTestCode = (path: string) => /\.test\.ts$/.test(path) || /[\\/]testing[\\/]/.test(path);

describe('src/lib/comfy is framework-free', () => {
	it('finds the core files', () => {
		expect(files.map((f) => relative(ROOT, f))).toEqual(
			expect.arrayContaining(['index.ts', 'http.ts', 'schemas.ts'])
		);
	});

	it('imports nothing from Svelte, SvelteKit or the app', () => {
		const offenders = files.flatMap((file) =>
			specifiers(readFileSync(file, 'utf8'))
				.filter((s) =>
					/^(svelte|@sveltejs\/|\$app\/|\$lib\/(state|components|storage)\b)|\.svelte(\.[jt]s)?$/.test(s)
				)
				.map((s) => `${relative(ROOT, file)} imports ${s}`)
		);
		expect(offenders).toEqual([]);
	});

	it('uses no Node-only modules or globals outside tests, so it runs in browsers', () => {
		const offenders = files
			.filter((file) => !isTestCode(file))
			.flatMap((file) => {
				const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
				const problems = specifiers(code)
					.filter((s) => s.startsWith('node:') || ['fs', 'path', 'ws', 'http', 'https', 'buffer'].includes(s))
					.map((s) => `imports ${s}`);
				if (/\bBuffer\./.test(code) || /\bprocess\.(env|argv|nextTick)/.test(code))
					problems.push('uses Buffer/process');
				return problems.map((p) => `${relative(ROOT, file)} ${p}`);
			});
		expect(offenders).toEqual([]);
	});

	it('would catch a forbidden import', () => {
		expect(specifiers(`import { x } from 'svelte/store';\nexport * from "$app/navigation";`)).toEqual([
			'svelte/store',
			'$app/navigation'
		]);
	});
});
