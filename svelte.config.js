import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// One index.html and hash routes (#/history): every view survives a reload on any static host,
		// including ComfyUI's own --front-end-root server, which has no SPA fallback.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
		router: { type: 'hash' },
		paths: { relative: true },
		output: { bundleStrategy: 'split' },
		// Registered by the app (src/lib/state/app-update.svelte.ts): relative to the page, so it works under any
		// subpath, skipped where the browser refuses it, and a new build is offered as "Reload to update".
		serviceWorker: { register: false },
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self'],
				'img-src': ['self', 'blob:', 'data:', 'http:', 'https:'],
				'media-src': ['self', 'blob:', 'data:', 'http:', 'https:'],
				'connect-src': ['self', 'http:', 'https:', 'ws:', 'wss:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		},
		// vitest.config.ts holds the test projects; type-check it with the rest.
		typescript: {
			config: (tsconfig) => {
				tsconfig.include.push('../vitest.config.ts');
			}
		}
	}
};

export default config;
