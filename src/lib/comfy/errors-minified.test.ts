import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A user's bundler renames classes when it minifies. The errors must still say what they are: `error.name` is what
// logs, `String(error)` and name checks read.
describe('error names in a minified bundle', () => {
	it('every error class keeps its own name', async () => {
		const bundled = await build({
			entryPoints: [fileURLToPath(new URL('./errors.ts', import.meta.url))],
			bundle: true,
			minify: true,
			format: 'esm',
			write: false
		});
		const code = bundled.outputFiles[0]?.text ?? '';
		const errors = (await import(
			/* @vite-ignore */ `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
		)) as Record<string, unknown>;
		// One options object that every constructor can read what it needs from (ComfyError takes a message first).
		const options = {
			promptId: 'p',
			baseUrl: 'http://h/',
			diagnosis: 'cors',
			status: 500,
			route: 'prompt',
			body: '',
			fields: [],
			detail: '',
			type: 'prompt_outputs_failed_validation',
			message: 'm',
			details: '',
			issues: [],
			nodeId: '1',
			nodeType: 'KSampler',
			exceptionMessage: 'e',
			exceptionType: 'E',
			traceback: [],
			operation: 'o',
			timeoutMs: 1
		};
		const make = (Class: new (...args: never[]) => Error) => Reflect.construct(Class, [options]);
		const names = Object.entries(errors)
			.filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
			.map(([, Class]) => make(Class as new (...args: never[]) => Error).name);
		expect(names.sort()).toEqual([
			'AbortError',
			'ComfyConnectionError',
			'ComfyError',
			'ComfyExecutionError',
			'ComfyHttpError',
			'ComfyInterruptedError',
			'ComfyJobLostError',
			'ComfyJobRemovedError',
			'ComfyJobTimeoutError',
			'ComfyProtocolError',
			'ComfyTimeoutError',
			'ComfyValidationError'
		]);
	});
});
