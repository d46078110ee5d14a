/**
 * The socket comes back after refused upgrades (issue 11, found against a real ComfyUI 0.8 behind a fault proxy:
 * after one cut and one 503 upgrade the client never opened a socket again, and every job after that finished by
 * REST polling, without progress or previews). Node here, with the `ws` package and with Node's built-in
 * WebSocket; Chromium in tests/e2e/core-in-browser.e2e.ts.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComfyClient, type WebSocketConstructor } from '../../src/lib/comfy/index';
import { useSimulator } from '../simulator/test-helpers';
import { socketComeback, type ComebackReport } from './socket-comeback';

const REFUSALS = 2;

const sim = useSimulator({ testMode: true, timeScale: 0.2 });

function expectCameBack(report: ComebackReport) {
	const seen = JSON.stringify(report);
	expect(report.refused, seen).toBeGreaterThanOrEqual(REFUSALS);
	expect(report.accepted, seen).toBeGreaterThanOrEqual(1);
	// Default backoff: after two refusals the next try comes within 2 s.
	expect(report.reopenMs, seen).not.toBeNull();
	expect(report.reopenMs, seen).toBeLessThan(4_000);
	expect(report.finalState, seen).toBe('open');
	expect(report.jobStatus, seen).toBe('succeeded');
	expect(report.stepProgress, seen).toBeGreaterThan(0);
	expect(report.previews, seen).toBeGreaterThan(0);
}

describe('the socket comes back after refused upgrades', () => {
	it('with the ws package', { timeout: 30_000 }, async () => {
		const client = createComfyClient({
			baseUrl: sim.url,
			WebSocket: WebSocket as unknown as WebSocketConstructor,
			clientIdChannel: null
		});
		try {
			expectCameBack(await socketComeback({ client, simUrl: sim.url, refusals: REFUSALS }));
		} finally {
			await client.close();
		}
	});

	it("with Node's built-in WebSocket", { timeout: 30_000 }, async () => {
		const major = Number(process.versions.node.split('.')[0]);
		const flags = major < 22 ? ['--experimental-websocket'] : [];
		const { code, stdout, stderr } = await new Promise<{
			code: number | null;
			stdout: string;
			stderr: string;
		}>((resolve) => {
			const child = spawn(
				process.execPath,
				[...flags, '--import', 'tsx', 'tests/core/socket-comeback-native.ts', sim.url, String(REFUSALS)],
				{ stdio: ['ignore', 'pipe', 'pipe'] }
			);
			let out = '';
			let err = '';
			child.stdout.on('data', (d: Buffer) => (out += d.toString()));
			child.stderr.on('data', (d: Buffer) => (err += d.toString()));
			child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
		});
		expect(code, stderr).toBe(0);
		const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ComebackReport;
		expectCameBack(report);
	});
});
