// A 100k-node workflow dropped on the Templates view: how long until the user reads why it cannot be imported
// (the import limit is 5000 nodes), and does the page keep answering meanwhile? Timed inside the page, from the
// drop event to the message in the DOM, so moving the 6 MB file into the browser is not counted (the e2e in
// hostile.e2e.ts checks the same refusal with the file sent from Playwright). Also the importer alone in Node.
import { importWorkflowFile } from '../src/lib/comfy/workflow/import-file';
import { percentile, startSimulatorApp } from './simulator-app';

export const name = 'huge graph';

const NODES = 100_000;
const REPETITIONS = 5;
const MESSAGE = `${NODES} nodes; at most 5000 are supported`;

/** An API workflow of `nodes` chained ImageInvert nodes (what hostile.e2e.ts drops). */
function hugeWorkflowText(nodes: number): string {
	return JSON.stringify(
		Object.fromEntries(
			Array.from({ length: nodes }, (_, i) => [
				String(i + 1),
				{ class_type: 'ImageInvert', inputs: { image: [String(i), 0] } }
			])
		)
	);
}

type Drop = { messageMs: number; longestGapMs: number; bytes: number };

export async function run() {
	const node: number[] = [];
	const text = hugeWorkflowText(NODES);
	for (let i = 0; i < REPETITIONS; i++) {
		const started = performance.now();
		const result = await importWorkflowFile({ name: 'huge-graph.json', text });
		node.push(performance.now() - started);
		if (result.ok || !result.error.message.includes(MESSAGE))
			throw new Error(`the importer did not refuse the graph: ${JSON.stringify(result).slice(0, 200)}`);
	}

	const app = await startSimulatorApp({ timeScale: 0 });
	const drops: Drop[] = [];
	try {
		const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
		await page.goto(`${app.base}#/templates`);
		await page.getByRole('list', { name: 'Your templates' }).waitFor({ timeout: 30_000 });
		for (let i = 0; i < REPETITIONS; i++) {
			drops.push(
				await page.evaluate(
					({ nodes, message }) =>
						new Promise<Drop>((resolve, reject) => {
							const workflow: Record<string, unknown> = {};
							for (let n = 1; n <= nodes; n++)
								workflow[String(n)] = {
									class_type: 'ImageInvert',
									inputs: { image: [String(n - 1), 0] }
								};
							const file = new File([JSON.stringify(workflow)], 'huge-graph.json', {
								type: 'application/json'
							});
							const dataTransfer = new DataTransfer();
							dataTransfer.items.add(file);
							const main = document.querySelector('main');
							if (!main) return reject(new Error('no <main>'));
							// The page answers if a 16 ms timer keeps firing: the longest gap is its worst freeze.
							let last = performance.now();
							let longestGapMs = 0;
							const ticker = setInterval(() => {
								const now = performance.now();
								longestGapMs = Math.max(longestGapMs, now - last);
								last = now;
							}, 16);
							const started = performance.now();
							const observer = new MutationObserver(() => {
								const alerts = [...document.querySelectorAll('[role="alert"]')];
								if (!alerts.some((e) => e.textContent?.includes(message))) return;
								const messageMs = performance.now() - started;
								observer.disconnect();
								clearInterval(ticker);
								resolve({ messageMs, longestGapMs, bytes: file.size });
							});
							observer.observe(document.body, { subtree: true, childList: true, characterData: true });
							for (const type of ['dragenter', 'drop'])
								main.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
							setTimeout(() => reject(new Error('no message within 20 s')), 20_000);
						}),
					{ nodes: NODES, message: MESSAGE }
				)
			);
			await page
				.getByRole('region', { name: 'This cannot be imported' })
				.getByRole('button', { name: 'Dismiss' })
				.click();
		}
	} finally {
		await app.close();
	}

	const shown = drops.map((d) => d.messageMs);
	console.log(
		`\n  ${NODES} nodes, ${((drops[0]?.bytes ?? 0) / 1e6).toFixed(1)} MB: message after ${shown.map((v) => v.toFixed(0)).join(', ')} ms;` +
			` longest freeze ${drops.map((d) => d.longestGapMs.toFixed(0)).join(', ')} ms; importer in Node ${node.map((v) => v.toFixed(0)).join(', ')} ms`
	);
	return [
		{
			name: `${NODES}-node drop → message shown, median of ${REPETITIONS}`,
			value: percentile(shown, 50),
			unit: 'ms',
			target: 1000
		},
		{
			name: `${NODES}-node drop → message shown, slowest of ${REPETITIONS}`,
			value: Math.max(...shown),
			unit: 'ms'
		},
		{
			name: `${NODES}-node drop: longest the page did not answer, median`,
			value: percentile(
				drops.map((d) => d.longestGapMs),
				50
			),
			unit: 'ms'
		},
		{
			name: `${NODES}-node importer alone (Node), median`,
			value: percentile(node, 50),
			unit: 'ms',
			target: 1000
		}
	];
}
