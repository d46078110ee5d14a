import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.js';

// Each worker runs the app against servers of its own, since specs change a server's state (reset, restart, queue, a
// shut-down socket): worker n (its parallel index) gets the ports below plus n × PORT_STRIDE. One worker by default:
// at two (E2E_WORKERS=2) the suite took 579 s and 526 s against 639 s at one on a loaded 2-core machine, as Chromium
// already keeps the cores busy (each test ran 1.7 times longer side by side), and one of those two runs failed
// unreachable.e2e's "Silent" server report, which runs on a paused page clock and real network time in between.
const WORKERS = Number(process.env.E2E_WORKERS ?? 1);
const PORT_STRIDE = 100;

function portsFor(index: number) {
	const offset = index * PORT_STRIDE;
	return {
		staticRoot: 4173 + offset,
		staticDeck: 4174 + offset,
		/** The simulator serving the built app as its front-end root (same origin, like ComfyUI --front-end-root). */
		simulatorApp: 8189 + offset,
		/** A simulator started without --enable-cors-header. */
		simulatorNoCors: 8191 + offset,
		/** A simulator started with --enable-cors-header '*'. */
		simulatorCors: 8192 + offset
	} as const;
}

// The ports of the servers of the worker reading this (the runner sets TEST_PARALLEL_INDEX in each worker before it
// loads this file and the specs; the runner's own process has none and reads worker 0's); the specs import them.
export const PORTS = portsFor(Number(process.env.TEST_PARALLEL_INDEX ?? 0));

const simulator = (port: number, flags: string) => ({
	command: `npx tsx tests/simulator/cli.ts --port ${port} --test-mode --time-scale 0.05 --quiet ${flags}`,
	url: `http://127.0.0.1:${port}/api/system_stats`,
	reuseExistingServer: !process.env.CI
});

/** One worker's servers. */
function servers(ports: ReturnType<typeof portsFor>) {
	return [
		{
			// The build at the root of a server with no directory index, as ComfyUI's --front-end-root serves it.
			command: `node scripts/serve-static.js --root build --port ${ports.staticRoot}`,
			url: `http://127.0.0.1:${ports.staticRoot}/`,
			reuseExistingServer: !process.env.CI
		},
		{
			// The same build under a subpath of an ordinary static server.
			command: `node scripts/serve-static.js --root build --prefix /deck/ --port ${ports.staticDeck}`,
			url: `http://127.0.0.1:${ports.staticDeck}/deck/`,
			reuseExistingServer: !process.env.CI
		},
		simulator(ports.simulatorApp, '--front-end-root build'),
		simulator(ports.simulatorNoCors, ''),
		simulator(ports.simulatorCors, "--cors '*'")
	];
}

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	// Spec files are spread over the workers; the tests of one file run in order in one worker.
	fullyParallel: false,
	workers: WORKERS,
	// No retries: a retry hides a flaky test, and a flaky test is a bug to fix.
	retries: 0,
	reporter: process.env.CI ? [['list']] : [['list']],
	timeout: 30_000,
	use: {
		browserName: 'chromium',
		launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
		// A failure leaves its trace (actions, DOM snapshots, network, console) and a screenshot. Recording whole
		// traces made a11y+generate+workbench 9 % slower than recording none (168 s against 155 s, one worker, and half
		// again the CPU); the trace's screencast, which the failure screenshot stands in for, is left out.
		trace: { mode: 'retain-on-failure', screenshots: false },
		screenshot: 'only-on-failure'
	},
	webServer: Array.from({ length: WORKERS }, (_, index) => servers(portsFor(index))).flat()
});
