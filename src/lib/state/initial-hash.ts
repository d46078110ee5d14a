// SvelteKit's hash router rewrites the address on the first load with the fragment percent-decoded, so a form
// URL's `%26` (an "&" in a prompt) would read as a new key. This module is evaluated before that rewrite (the
// root layout imports it): keep the fragment as the user opened it.
const initialHash = typeof location === 'undefined' ? '' : location.hash;
let initialHashTaken = false;

/** The fragment the page was opened with, once (later navigations keep their encoding). */
export function takeInitialHash(): string | undefined {
	if (initialHashTaken) return undefined;
	initialHashTaken = true;
	return initialHash || undefined;
}
