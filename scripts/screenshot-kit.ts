// What every screenshot script shares: where the pictures go, the browser, and the four looks of each view
// (1280 and 360 px wide, light and dark) that the quality bar asks for.
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './chromium.js';

/** Where the screenshots are written (the README shows them from there). */
export const out = 'docs/screenshots';

/** One of the four looks: a width and a colour scheme. */
export interface Look {
	width: number;
	scheme: 'light' | 'dark';
}

const LOOKS: Look[] = (['light', 'dark'] as const).flatMap((scheme) =>
	[1280, 360].map((width) => ({ width, scheme }))
);

/** The window of a look: `height` tall on a wide screen (800 unless told), a phone's 740 on a narrow one. */
function viewportOf({ width, height = 800 }: { width: number; height?: number }) {
	return { width, height: width > 500 ? height : 740 };
}

/** The system Chromium, with the screenshot folder made. */
export async function launchBrowser(): Promise<Browser> {
	mkdirSync(out, { recursive: true });
	return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
}

/**
 * Runs `each` once a look, each in a fresh browser context (its own IndexedDB) sized and coloured for it, closed
 * after.
 */
export async function forEachViewport({
	browser,
	height,
	each
}: {
	browser: Browser;
	height?: number;
	each: (shot: Look & { page: Page; name: (slug: string) => string }) => Promise<void>;
}): Promise<void> {
	for (const look of LOOKS) {
		const context = await browser.newContext({
			viewport: viewportOf({ width: look.width, height }),
			colorScheme: look.scheme,
			deviceScaleFactor: 1
		});
		try {
			await each({ ...look, page: await context.newPage(), name: (slug) => fileOf({ slug, ...look }) });
		} finally {
			await context.close();
		}
	}
}

/**
 * Runs `each` once a look on the same page (what it stored stays), resizing it and switching its colour scheme
 * first.
 */
export async function forEachLook({
	page,
	each
}: {
	page: Page;
	each: (shot: Look & { name: (slug: string) => string }) => Promise<void>;
}): Promise<void> {
	for (const look of LOOKS) {
		await page.emulateMedia({ colorScheme: look.scheme });
		await page.setViewportSize(viewportOf({ width: look.width }));
		await each({ ...look, name: (slug) => fileOf({ slug, ...look }) });
	}
}

/** `docs/screenshots/<slug>-<width>-<scheme>.png`. */
function fileOf({ slug, width, scheme }: Look & { slug: string }): string {
	return `${out}/${slug}-${width}-${scheme}.png`;
}

/** Opens the newest run's page from History, once its comparison shows; returns that page's `#/history/…` hash. */
export async function openNewestRun({ page, base }: { page: Page; base: string }): Promise<string> {
	await page.goto(`${base}#/history`);
	await page
		.getByRole('link', { name: /^Open / })
		.first()
		.click();
	await page.getByRole('heading', { name: 'Difference to another run' }).waitFor();
	return page.url().slice(page.url().indexOf('#'));
}
