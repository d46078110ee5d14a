// Shared by the benchmarks that measure the built app: one build per `npm run bench` run, and the build served as
// static files to the system Chromium. Not a benchmark itself (the runner only loads *.bench.ts).
import { chromium, type Browser } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';
import { startStaticServer } from '../scripts/serve-static.js';

const built = Symbol.for('comfy-deck.bench.built');

/**
 * Builds the app once per process (the runner loads each benchmark separately, so the flag lives on
 * globalThis). `BENCH_SKIP_BUILD=1` measures the build/ already there.
 */
export function buildOnce(): void {
	const flags = globalThis as unknown as Record<symbol, boolean | undefined>;
	if (flags[built] || process.env.BENCH_SKIP_BUILD) return;
	const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'ignore' });
	if (build.status !== 0) throw new Error('npm run build failed: run it alone to see why');
	flags[built] = true;
}

/** The system Chromium, with `args` besides the usual ones. */
export function launchChromium(args: string[] = []): Promise<Browser> {
	return chromium.launch({ executablePath: chromiumPath(), args: [...chromiumArgs, ...args] });
}

export interface StaticApp {
	browser: Browser;
	/** The app's root URL. */
	url: string;
	close(): Promise<void>;
}

/** Serves `root` (build/ after `buildOnce`, or a copy of it) as static files and launches Chromium. */
export async function startStaticApp(options: { root: string }): Promise<StaticApp> {
	const server = await startStaticServer({ root: options.root, port: 0 });
	const browser = await launchChromium();
	return {
		browser,
		url: server.url,
		async close() {
			await browser.close();
			await server.close();
		}
	};
}
