import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Building and serving the app needs nothing but this. The test projects (and the browser they launch) live in
// vitest.config.ts, which only Vitest loads: `npm install && npm run build` must work on a machine without Chromium.
export default defineConfig({
	plugins: [sveltekit()]
});
