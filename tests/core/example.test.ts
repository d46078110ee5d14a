/** The example script generates an image from Node against COMFYUI_URL (here: the simulator). */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { useSimulator } from '../simulator/test-helpers';

const sim = useSimulator({ timeScale: 0.02 });

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'examples/generate.ts'], {
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

it('examples/generate.ts prints the generation result', { timeout: 60_000 }, async () => {
	const { code, stdout, stderr } = await run({ COMFYUI_URL: sim.url });
	expect(code, stderr).toBe(0);
	const result = JSON.parse(stdout) as {
		images: { filename: string; size: { width: number } }[];
		metadata: { nodeCount: number };
	};
	expect(result.images).toHaveLength(1);
	expect(result.images[0]?.size.width).toBe(64);
	expect(result.metadata.nodeCount).toBe(3);
});

it('examples/generate.ts says what to set without COMFYUI_URL', { timeout: 60_000 }, async () => {
	const { code, stderr } = await run({ COMFYUI_URL: '' });
	expect(code).toBe(2);
	expect(stderr).toContain('Set COMFYUI_URL');
});
