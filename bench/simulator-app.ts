// Shared by the benchmarks that drive the built app against the ComfyUI simulator (previews, cache hit): the
// build (built-app.ts), the simulator in-process serving build/ like ComfyUI's --front-end-root, and the system
// Chromium. Not a benchmark itself (the runner only loads *.bench.ts).
import type { Browser } from '@playwright/test';
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
