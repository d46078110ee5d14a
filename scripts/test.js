#!/usr/bin/env node
// `npm test`: every check CI runs, stopping at the first failure with its name. The type check and the lint read
// the same files and share nothing, so they run side by side (about 20 s less on two cores); their output is
// printed whole, one after the other.
import { spawn, spawnSync } from 'node:child_process';
import { chromiumPath } from './chromium.js';

try {
	console.log(`Browser tests use ${chromiumPath()}`);
} catch (error) {
	console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
}

/** @typedef {[name: string, command: string, args: string[], env?: Record<string, string>]} Step */

/** @type {Step[]} */
const together = [
	['type check (svelte-check)', 'npm', ['run', 'check', '--silent']],
	['lint (ESLint + Prettier)', 'npm', ['run', 'lint', '--silent']]
];

/** @type {Step[]} */
const inOrder = [
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

const seconds = (started) => ((Date.now() - started) / 1000).toFixed(1);

/** Runs a step with its output kept, to print once it ends. */
function buffered([name, command, args, env]) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(command, args, { env: { ...process.env, ...env } });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('close', (status) => resolve({ name, status, output, took: seconds(started) }));
	});
}

for (const { name, status, output, took } of await Promise.all(together.map(buffered))) {
	console.log(`\n▶ ${name}`);
	process.stdout.write(output);
	if (status !== 0) {
		console.error(`\n✖ ${name} failed`);
		process.exit(status ?? 1);
	}
	console.log(`✔ ${name} (${took} s, side by side)`);
}

for (const [name, command, args, env] of inOrder) {
	console.log(`\n▶ ${name}`);
	const started = Date.now();
	const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	if (result.status !== 0) {
		console.error(`\n✖ ${name} failed`);
		process.exit(result.status ?? 1);
	}
	console.log(`✔ ${name} (${seconds(started)} s)`);
}
console.log('\nAll checks passed.');
