/**
 * Runs one generation from Node against a ComfyUI server and prints the result.
 *
 *   COMFYUI_URL=http://127.0.0.1:8188 npx tsx examples/generate.ts [workflow-api.json]
 *
 * Without a workflow file it sends a tiny EmptyImage → ImageInvert → SaveImage graph that any ComfyUI can run
 * (no models needed). Node 20 has no WebSocket of its own: the `ws` package provides it.
 */
import { readFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import { createComfyClient, type ApiWorkflow, type WebSocketConstructor } from '../src/lib/comfy/index';

const DEFAULT_WORKFLOW: ApiWorkflow = {
	'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 1, color: 3368652 } },
	'2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
	'3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'comfy-deck/example' } }
};

async function main() {
	const baseUrl = process.env.COMFYUI_URL;
	if (!baseUrl) {
		console.error('Set COMFYUI_URL, e.g. COMFYUI_URL=http://127.0.0.1:8188 npx tsx examples/generate.ts');
		process.exit(2);
	}
	const file = process.argv[2];
	const workflow = file ? (JSON.parse(await readFile(file, 'utf8')) as ApiWorkflow) : DEFAULT_WORKFLOW;
	const client = createComfyClient({
		baseUrl,
		token: process.env.COMFYUI_TOKEN,
		logLevel: process.env.COMFY_LOG === 'debug' ? 'debug' : 'warn',
		WebSocket: WebSocket as unknown as WebSocketConstructor
	});
	client.logger.subscribe((entry) => console.error(`[${entry.level}] ${entry.scope}: ${entry.message}`));
	try {
		const result = await client.generateImage({
			workflow,
			metadata: { userInitials: 'EX', tags: ['example'] },
			onProgress: (p) => {
				const step = p.max ? ` step ${p.value}/${p.max}` : '';
				process.stderr.write(
					`\r${p.status} ${p.nodesDone}/${p.nodesTotal} nodes${p.node ? ` (node ${p.node})` : ''}${step}   `
				);
			},
			onPreview: (preview) =>
				process.stderr.write(`\rpreview ${preview.mimeType} ${preview.blob.size} bytes   `)
		});
		process.stderr.write('\n');
		console.log(JSON.stringify(result, null, 2));
	} catch (error) {
		process.stderr.write('\n');
		const hint = error && typeof error === 'object' && 'hint' in error ? `\n${String(error.hint)}` : '';
		console.error(`${error instanceof Error ? error.message : String(error)}${hint}`);
		process.exitCode = 1;
	} finally {
		await client.close();
	}
}

void main();
