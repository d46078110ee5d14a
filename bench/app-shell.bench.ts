// The app shell: how much a first visit downloads, and how fast the first view appears in Chromium.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildOnce, startStaticApp } from './built-app';

export const name = 'app shell';

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((f) => {
		const path = join(dir, f);
		return statSync(path).isDirectory() ? files(path) : [path];
	});
}

export async function run() {
	buildOnce();
	const js = files('build/_app').filter((f) => f.endsWith('.js') || f.endsWith('.css'));
	const gzipKb = js.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024;

	const { browser, url, close } = await startStaticApp({ root: 'build' });
	const samples: number[] = [];
	try {
		for (let i = 0; i < 7; i++) {
			const context = await browser.newContext();
			const page = await context.newPage();
			const started = performance.now();
			await page.goto(`${url}#/history`);
			await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
			samples.push(performance.now() - started);
			await context.close();
		}
	} finally {
		await close();
	}
	samples.sort((a, b) => a - b);
	const median = samples[Math.floor(samples.length / 2)] ?? NaN;
	return [
		{ name: 'all JS + CSS, gzip', value: gzipKb, unit: 'KiB', target: 150 },
		{ name: 'deep link to first heading (median of 7, cold context)', value: median, unit: 'ms', target: 500 }
	];
}
