// `npm run simulator -- --port 8188 [--cors ['*']] [--time-scale 0.1] [--front-end-root build] [--test-mode]
// [--models-dir DIR] [--output-dir DIR] [--host H] [--run-log FILE]`: runs the ComfyUI simulator until SIGINT/SIGTERM.
import { appendFileSync } from 'node:fs';
import { startSimulator } from './index';

function parseArgs(argv: string[]): Parameters<typeof startSimulator>[0] {
	const options: NonNullable<Parameters<typeof startSimulator>[0]> = { port: 8188 };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		const next = argv[i + 1];
		const value = () => {
			if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
			i += 1;
			return next;
		};
		switch (arg) {
			case '--port':
				options.port = Number(value());
				break;
			case '--host':
			case '--listen':
				options.host = value();
				break;
			case '--cors':
			case '--enable-cors-header':
				// Like ComfyUI: the origin is optional and defaults to '*'.
				options.cors = next !== undefined && !next.startsWith('--') ? value() : '*';
				break;
			case '--time-scale':
				options.timeScale = Number(value());
				break;
			case '--front-end-root':
				options.frontEndRoot = value();
				break;
			case '--models-dir':
				options.modelsDir = value();
				break;
			case '--output-dir':
				options.outputDir = value();
				break;
			case '--test-mode':
				options.testMode = true;
				break;
			case '--quiet':
				options.quiet = true;
				break;
			case '--run-log': {
				// One JSON line per prompt started and per prompt ended, written at once: what a test counts after
				// killing the process (a prompt started and never ended was cut by the kill).
				const file = value();
				options.onRun = (run) => appendFileSync(file, `${JSON.stringify(run)}\n`);
				break;
			}
			default:
				throw new Error(`unknown option ${arg}`);
		}
	}
	if (!Number.isInteger(options.port) || (options.port ?? -1) < 0) throw new Error('--port needs a number');
	if (options.timeScale !== undefined && !(options.timeScale >= 0))
		throw new Error('--time-scale needs a number ≥ 0');
	return options;
}

try {
	const simulator = await startSimulator(parseArgs(process.argv.slice(2)));
	console.log(`ComfyUI simulator listening on ${simulator.url}`);
	const stop = () => {
		void simulator.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
} catch (error) {
	console.error(`ComfyUI simulator: ${error instanceof Error ? error.message : String(error)}`);
	console.error(
		'Usage: npm run simulator -- --port 8188 [--cors [ORIGIN]] [--time-scale 0.1] [--front-end-root DIR] [--test-mode] [--models-dir DIR] [--output-dir DIR] [--host HOST] [--run-log FILE]'
	);
	process.exit(2);
}
