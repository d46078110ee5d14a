// Where the system Chromium lives. Playwright cannot download its own browser on this kind of machine,
// so every browser test (vitest browser mode, Playwright e2e, benchmarks) launches this one.
// Only the browser tests need it: building and running the app never loads this file.
import { existsSync } from 'node:fs';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const missingChromiumMessage =
	'No Chromium found for the browser tests. Install it with `sudo apt-get install -y chromium` ' +
	'(Debian/Ubuntu) or point CHROMIUM_PATH at a Chromium or Chrome executable.';

/** The Chromium executable to launch (`CHROMIUM_PATH` when set, else the first system browser found), or undefined. */
export function findChromium() {
	const fromEnv = process.env.CHROMIUM_PATH;
	if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
	return candidates.find((path) => existsSync(path));
}

/** The Chromium executable to launch; throws a message saying how to install one when there is none. */
export function chromiumPath() {
	const found = findChromium();
	if (found) return found;
	const fromEnv = process.env.CHROMIUM_PATH;
	throw new Error(fromEnv ? `CHROMIUM_PATH=${fromEnv} does not exist.` : missingChromiumMessage);
}

/** Flags for a headless Chromium in a sandboxed, offline machine (running as root needs --no-sandbox). */
export const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];
