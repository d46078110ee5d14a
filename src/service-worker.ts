/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Keeps the built app available offline. Only the app's own files are handled (the hashed build, the static files
 * and the page itself): a ComfyUI serving the app from its root (`--front-end-root`) shares this origin, and its
 * `/api`, `/ws` and `/view` requests must never be cached or delayed, so anything else goes straight to the
 * network. Paths come from `base`, which SvelteKit derives from where this file is served: the root, `/deck/` or
 * any other subpath work alike.
 */
import { base, build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `comfy-deck-${version}`;
const PAGE = `${base}/`;
const ASSETS = new Set([...build, ...files, PAGE]);

sw.addEventListener('install', (event) => {
	// Not activated at once: the page offers "Reload to update" and sends `skip-waiting` when the user agrees.
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS])));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(
					keys.filter((k) => k.startsWith('comfy-deck-') && k !== CACHE).map((k) => caches.delete(k))
				)
			)
	);
});

sw.addEventListener('message', (event) => {
	if (event.data === 'skip-waiting') void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	const isPage =
		request.mode === 'navigate' && (url.pathname === PAGE || url.pathname === `${base}/index.html`);
	if (isPage) {
		// The page: the network's when it answers (a new build is found at once), else the cached one.
		event.respondWith(
			fetch(request).catch(async () => (await caches.match(PAGE, { cacheName: CACHE })) ?? Response.error())
		);
		return;
	}
	if (!ASSETS.has(url.pathname)) return;
	// Hashed build files never change; static files change only with a new version (a new cache).
	event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});
