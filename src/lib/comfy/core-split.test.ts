import { describe, expect, it } from 'vitest';
// coreKb bundles bench/core-entry.ts as a user's app would (esbuild, split where the core uses `import()`).
import { coreKb } from '../../../scripts/weight.js';

// What an app that imports the core and runs one job loads up front, and what only when it is needed. The code
// split off must stay off the eager path (a static import of it, or a barrel re-export of its values, brings it
// back), and must still be there to load.
describe('the protocol core bundled for one job', () => {
	it('loads the REST routes no job needs, their schemas and the object_info parser only on their first call', async () => {
		const core = await coreKb();
		const eager = Object.keys(core.byModule);
		const lazy = core.lazy.map((chunk) => chunk.file).join(' + ');
		for (const file of [
			'src/lib/comfy/api-routes.ts',
			'src/lib/comfy/route-schemas.ts',
			'src/lib/comfy/workflow/object-info.ts'
		]) {
			expect(eager).not.toContain(file);
			expect(lazy).toContain(file);
		}
		// Only servers without /api/jobs need it built from queue + history.
		expect(eager).not.toContain('src/lib/comfy/jobs-fallback.ts');
		expect(lazy).toContain('src/lib/comfy/jobs-fallback.ts');
		// The job path itself stays eager.
		expect(eager).toEqual(expect.arrayContaining(['src/lib/comfy/api.ts', 'src/lib/comfy/job-tracker.ts']));
	});
});
