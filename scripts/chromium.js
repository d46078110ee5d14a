// Where the system Chromium lives. Playwright cannot download its own browser on this kind of machine,
// so every browser test (vitest browser mode, Playwright e2e, benchmarks) launches this one.
import { existsSync } from 'node:fs';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium executable to launch: `CHROMIUM_PATH` when set, else the first system browser found. */
export function chromiumPath() {
	const fromEnv = process.env.CHROMIUM_PATH;
	if (fromEnv) {
		if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
		return fromEnv;
	}
	const found = candidates.find((path) => existsSync(path));
	if (!found) {
		throw new Error(
			'No Chromium found for the browser tests. Install it with `sudo apt-get install -y chromium` ' +
				'(Debian/Ubuntu) or point CHROMIUM_PATH at a Chromium or Chrome executable.'
		);
	}
	return found;
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
