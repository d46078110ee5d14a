// Public entry of the ComfyUI simulator: `startSimulator(options)` listens and resolves once ready.
import type { AddressInfo } from 'node:net';
import { createControls, type SimulatorControls } from './controls';
import { createSimServer } from './server';
import { Simulator, type SimulatorOptions } from './simulator';

export type { SimulatorControls } from './controls';
export type { SimulatorOptions } from './simulator';

/** A running simulator. */
export interface RunningSimulator {
	/** `http://host:port` (no trailing slash). */
	url: string;
	port: number;
	controls: SimulatorControls;
	close(): Promise<void>;
}

/**
 * Starts a ComfyUI 0.8 stand-in on `host:port` (port 0 picks a free one). See tests/simulator/README.md for
 * what it reproduces and tests/simulator/DIFFERENCES.md for what it does not.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
	const sim = new Simulator(options);
	const controls = createControls(sim);
	const server = createSimServer(sim, controls);
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	sim.host = host;
	sim.port = port;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}`,
		port,
		controls,
		close: () =>
			new Promise<void>((resolve) => {
				sim.worker.reset();
				sim.hub.terminateAll();
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}
