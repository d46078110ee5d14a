// Shared by the benchmarks that drive the built app against the ComfyUI simulator (previews, cache hit): the
// build (built-app.ts), the simulator in-process serving build/ like ComfyUI's --front-end-root, and the system
// Chromium. Not a benchmark itself (the runner only loads *.bench.ts).
import type { Browser } from '@playwright/test';
import { spawn } from 'node:child_process';
import { startSimulator, type RunningSimulator } from '../tests/simulator/index';
import { buildOnce, launchChromium } from './built-app';

export interface SimulatorApp {
	sim: RunningSimulator;
	browser: Browser;
	/** The app's root URL, served by the simulator (same origin, so "This ComfyUI" is its server). */
	base: string;
	close(): Promise<void>;
}

/** Builds if needed, starts a test-mode simulator serving build/ and launches Chromium. */
export async function startSimulatorApp(options: { timeScale: number }): Promise<SimulatorApp> {
	buildOnce();
	const sim = await startSimulator({
		port: 0,
		frontEndRoot: 'build',
		testMode: true,
		timeScale: options.timeScale,
		quiet: true
	});
	// Precise heap figures from performance.memory, and a CDP-forced GC.
	const browser = await launchChromium(['--enable-precise-memory-info', '--js-flags=--expose-gc']);
	return {
		sim,
		browser,
		base: `${sim.url}/`,
		async close() {
			await browser.close();
			await sim.close();
		}
	};
}

/**
 * `startSimulatorApp` with the simulator in a process of its own, as ComfyUI is. In-process it shares Node's event
 * loop with Playwright: a request the page makes while Playwright handles a click waits for it, so a page that
 * answers its click sooner is not answered sooner (the app's POST, sent 4 ms after the click, came back ~15 ms later
 * than when it left at 15 ms).
 */
export async function startSimulatorProcess(options: {
	timeScale: number;
}): Promise<Omit<SimulatorApp, 'sim'>> {
	buildOnce();
	const args = [
		'--front-end-root',
		'build',
		'--test-mode',
		'--quiet',
		'--time-scale',
		String(options.timeScale)
	];
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'tests/simulator/cli.ts', '--port', '0', ...args],
		{
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const url = await new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const found = /listening on (\S+)/.exec(out);
			if (found?.[1]) resolve(found[1]);
		});
		void exited.then(() => reject(new Error(`the simulator exited before it listened: ${out}`)));
	});
	const browser = await launchChromium(['--enable-precise-memory-info', '--js-flags=--expose-gc']);
	return {
		browser,
		base: `${url}/`,
		async close() {
			await browser.close();
			child.kill('SIGTERM');
			await exited;
		}
	};
}

/** The p-th percentile (0–100) of samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}

/**
 * A function as an init script for `context.addInitScript({ content })`. tsx compiles with esbuild's keepNames,
 * which wraps named functions in a `__name(…)` helper the page does not have: define it there.
 */
export function pageScript(fn: () => void): string {
	return `(() => { const __name = (f) => f; (${fn.toString()})(); })();`;
}
