// Shared by the hostile-input specs (issue 11): the canary and dialog trap that catch any script a payload runs,
// and checks that a text shows literally.
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads';

export { appBase as base, control } from './page-helpers';
/** Every payload, in one text: each surface gets the whole corpus at once. */
export const ALL = XSS_PAYLOADS.join(' ¦ ');

/**
 * Arms a page (or every page of a context) against payloads: dialogs are recorded and dismissed, and
 * `window.__xss` is a setter, so even a value put back at once is caught. Returns the check to run at the end.
 */
export async function trapScripts(target: Page | BrowserContext): Promise<(page: Page) => Promise<void>> {
	const dialogs: string[] = [];
	target.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await target.addInitScript(() => {
		const hits: unknown[] = [];
		Object.defineProperty(window, '__xss', {
			configurable: false,
			get: () => (hits.length ? hits : undefined),
			set: (value: unknown) => void hits.push(value)
		});
	});
	return async (page) => {
		expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
		expect(dialogs).toEqual([]);
		// Prototype pollution would show on every object of the page.
		expect(await page.evaluate(() => (({}) as Record<string, unknown>)['polluted'] === undefined)).toBe(true);
		expect(await page.locator('main img[src="x"], main script, main iframe').count()).toBe(0);
	};
}

export const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The element's text (not its markup) contains `text`, whitespace aside. */
export async function expectLiteral(locator: Locator, text: string) {
	await expect
		.poll(async () => normalize((await locator.textContent()) ?? ''), { timeout: 15_000 })
		.toContain(normalize(text));
}

/** The element's text contains every payload as it was, whitespace aside. */
export async function expectEachLiteral(locator: Locator, payloads: readonly string[]) {
	await expect
		.poll(
			async () => {
				const content = normalize((await locator.textContent()) ?? '');
				return payloads.filter((p) => !content.includes(normalize(p)));
			},
			{ timeout: 15_000 }
		)
		.toEqual([]);
}
