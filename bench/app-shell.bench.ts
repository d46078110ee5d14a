// The app shell: how much a first visit downloads, and how fast the first view appears in Chromium.
import { chromium } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.js';
import { startStaticServer } from '../scripts/serve-static.js';

export const name = 'app shell';

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((f) => {
		const path = join(dir, f);
		return statSync(path).isDirectory() ? files(path) : [path];
	});
}

export async function run() {
	const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'ignore' });
	if (build.status !== 0) throw new Error('npm run build failed');
	const js = files('build/_app').filter((f) => f.endsWith('.js') || f.endsWith('.css'));
	const gzipKb = js.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024;

	const server = await startStaticServer({ root: 'build', port: 0 });
	const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
	const samples: number[] = [];
	try {
		for (let i = 0; i < 7; i++) {
			const context = await browser.newContext();
			const page = await context.newPage();
			const started = performance.now();
			await page.goto(`${server.url}#/history`);
			await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
			samples.push(performance.now() - started);
			await context.close();
		}
	} finally {
		await browser.close();
		await server.close();
	}
	samples.sort((a, b) => a - b);
	const median = samples[Math.floor(samples.length / 2)] ?? NaN;
	return [
		{ name: 'all JS + CSS, gzip', value: gzipKb, unit: 'KiB', target: 150 },
		{ name: 'deep link to first heading (median of 7, cold context)', value: median, unit: 'ms', target: 500 }
	];
}
