#!/usr/bin/env node
// `npm test`: every check CI runs, in order, stopping at the first failure with its name.
import { spawnSync } from 'node:child_process';
import { chromiumPath } from './chromium.js';

try {
	console.log(`Browser tests use ${chromiumPath()}`);
} catch (error) {
	console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
}

const steps = [
	['type check (svelte-check)', 'npm', ['run', 'check', '--silent']],
	['lint (ESLint + Prettier)', 'npm', ['run', 'lint', '--silent']],
	['unit and component tests (vitest)', 'npx', ['vitest', 'run']],
	// Built as a machine without Chromium would build it: running the app must never need a test browser.
	[
		'build (without a browser)',
		'npm',
		['run', 'build', '--silent'],
		{ CHROMIUM_PATH: '/nonexistent/chromium' }
	],
	['end-to-end tests (Playwright)', 'npx', ['playwright', 'test']]
];

for (const [name, command, args, env] of steps) {
	console.log(`\n▶ ${name}`);
	const started = Date.now();
	const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	if (result.status !== 0) {
		console.error(`\n✖ ${name} failed`);
		process.exit(result.status ?? 1);
	}
	console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
console.log('\nAll checks passed.');
