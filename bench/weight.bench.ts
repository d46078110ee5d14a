// What the app and the protocol core weigh (gzip -9), per build: the landing route's first load and the core
// bundled alone for the browser. `node scripts/weight.js --check` gives the same figures without the other benches
// and exits 1 when one is over its budget.
import { CORE_BUDGET_KB, FIRST_LOAD_BUDGET_KB, coreKb, firstLoadKb } from '../scripts/weight.js';
import { buildOnce } from './built-app';

export const name = 'weight';

export async function run() {
	buildOnce();
	const first = firstLoadKb('build');
	const core = await coreKb();
	return [
		{
			name: 'landing route first load (JS + CSS), gzip -9',
			value: first.kb,
			unit: 'KB',
			target: FIRST_LOAD_BUDGET_KB
		},
		{ name: 'files index.html preloads, gzip -9', value: first.preloadKb, unit: 'KB' },
		{
			name: 'protocol core (createComfyClient + generateImage, esbuild, minified), gzip -9',
			value: core.kb,
			unit: 'KB',
			target: CORE_BUDGET_KB
		}
	];
}
