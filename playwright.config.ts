import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.js';

// Ports are fixed so the web servers below and the specs agree; the e2e specs read them from here.
export const PORTS = {
	staticRoot: 4173,
	staticDeck: 4174,
	/** The simulator serving the built app as its front-end root (same origin, like ComfyUI --front-end-root). */
	simulatorApp: 8189,
	/** A simulator started without --enable-cors-header. */
	simulatorNoCors: 8191,
	/** A simulator started with --enable-cors-header '*'. */
	simulatorCors: 8192
} as const;

const simulator = (port: number, flags: string) => ({
	command: `npx tsx tests/simulator/cli.ts --port ${port} --test-mode --time-scale 0.05 --quiet ${flags}`,
	url: `http://127.0.0.1:${port}/api/system_stats`,
	reuseExistingServer: !process.env.CI
});

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	fullyParallel: false,
	workers: 1,
	// No retries: a retry hides a flaky test, and a flaky test is a bug to fix.
	retries: 0,
	reporter: process.env.CI ? [['list']] : [['list']],
	timeout: 30_000,
	use: {
		browserName: 'chromium',
		launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
		// A failure leaves its trace, its page snapshot and a screenshot.
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	},
	webServer: [
		{
			// The build at the root of a server with no directory index, as ComfyUI's --front-end-root serves it.
			command: `node scripts/serve-static.js --root build --port ${PORTS.staticRoot}`,
			url: `http://127.0.0.1:${PORTS.staticRoot}/`,
			reuseExistingServer: !process.env.CI
		},
		{
			// The same build under a subpath of an ordinary static server.
			command: `node scripts/serve-static.js --root build --prefix /deck/ --port ${PORTS.staticDeck}`,
			url: `http://127.0.0.1:${PORTS.staticDeck}/deck/`,
			reuseExistingServer: !process.env.CI
		},
		simulator(PORTS.simulatorApp, '--front-end-root build'),
		simulator(PORTS.simulatorNoCors, ''),
		simulator(PORTS.simulatorCors, "--cors '*'")
	]
});
