import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { chromiumArgs, findChromium, missingChromiumMessage } from './scripts/chromium.js';

const nodeProject: TestProjectInlineConfiguration = {
	extends: './vite.config.ts',
	test: {
		name: 'node',
		environment: 'node',
		include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
		exclude: ['src/**/*.svelte.test.ts', 'src/**/*.browser.test.ts']
	}
};

// Components, and code that needs real browser APIs (canvas, IndexedDB, createImageBitmap).
function browserProject(executablePath: string): TestProjectInlineConfiguration {
	return {
		extends: './vite.config.ts',
		test: {
			name: 'browser',
			include: ['src/**/*.svelte.test.ts', 'src/**/*.browser.test.ts'],
			browser: {
				enabled: true,
				headless: true,
				provider: playwright({ launchOptions: { executablePath, args: chromiumArgs } }),
				instances: [{ browser: 'chromium' }]
			}
		}
	};
}

const chromium = findChromium();
// Without a browser the unit tests still run; the component tests are left out with a message saying how to get
// one (`npm test` refuses to start without it, so CI never passes by skipping them).
if (!chromium) console.warn(`Component tests left out: ${missingChromiumMessage}`);

export default defineConfig({
	test: {
		expect: { requireAssertions: true },
		projects: chromium ? [nodeProject, browserProject(chromium)] : [nodeProject]
	}
});
