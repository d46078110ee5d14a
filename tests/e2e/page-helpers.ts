// Page actions several e2e specs share.
import { expect, test, type Page } from '@playwright/test';
import { PORTS } from '../../playwright.config';

/** The simulator serving the built app (same origin, test mode): where most specs run the app. */
export const appBase = `http://127.0.0.1:${PORTS.simulatorApp}/`;

/** Sends the simulator serving the app a test-mode control (`reset`, `restart`, `runs` …); resolves with its answer. */
export async function control(page: Page, body: Record<string, unknown>): Promise<Record<string, unknown>> {
	const response = await page.request.post(`${appBase}__sim/control`, { data: body });
	expect(response.ok()).toBe(true);
	return (await response.json()) as Record<string, unknown>;
}

/** Resets the simulator serving the app before and after each test of the calling spec file. */
export function resetSimulatorEachTest(): void {
	test.beforeEach(async ({ page }) => {
		await control(page, { action: 'reset' });
	});
	test.afterEach(async ({ page }) => {
		await control(page, { action: 'reset' });
	});
}

/** Opens a template's form (`id`, or `id?…` with form values) and waits until Generate can be pressed. */
export async function openTemplate(page: Page, id: string): Promise<void> {
	await page.goto(`${appBase}#/generate/${id}`);
	await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: 15_000 });
}

/** Opens the newest run's page from the History gallery. */
export async function openNewestRun(page: Page): Promise<void> {
	await page.goto(`${appBase}#/history`);
	await page
		.getByRole('list', { name: 'Generations' })
		.getByRole('link', { name: /^Open / })
		.first()
		.click();
}

/** Drops a file on the page the way a browser does (dragenter, then drop with a DataTransfer). */
export async function drop(
	page: Page,
	file: { name: string; bytes?: Buffer; zeros?: number; text?: string; type?: string }
) {
	const dataTransfer = await page.evaluateHandle(
		({ name, b64, zeros, text, type }) => {
			const body =
				zeros !== undefined
					? new Uint8Array(zeros)
					: text !== undefined
						? text
						: Uint8Array.from(atob(b64 ?? ''), (c) => c.charCodeAt(0));
			const dt = new DataTransfer();
			dt.items.add(new File([body], name, type ? { type } : {}));
			return dt;
		},
		{
			name: file.name,
			b64: file.bytes?.toString('base64'),
			zeros: file.zeros,
			text: file.text,
			type: file.type
		}
	);
	await page.dispatchEvent('main', 'dragenter', { dataTransfer });
	await page.dispatchEvent('main', 'drop', { dataTransfer });
}

/** Every record (or, with `keys`, every key) of one store of this browser's IndexedDB, as the page reads it. */
export function storedRecords<T = unknown>(page: Page, o: { store: string; keys?: boolean }): Promise<T[]> {
	return page.evaluate(
		({ store, keys }) =>
			new Promise<T[]>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const objects = open.result.transaction(store).objectStore(store);
					const request = keys ? objects.getAllKeys() : objects.getAll();
					request.onsuccess = () => {
						open.result.close();
						resolve(request.result as T[]);
					};
					request.onerror = () => reject(request.error);
				};
			}),
		{ store: o.store, keys: o.keys ?? false }
	);
}

/** Writes one record into a store of this browser's IndexedDB (a store whose records hold their key). */
export function putStoredRecord(page: Page, o: { store: string; value: unknown }): Promise<void> {
	return page.evaluate(
		({ store, value }) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const tx = open.result.transaction(store, 'readwrite');
					tx.objectStore(store).put(value);
					tx.oncomplete = () => {
						open.result.close();
						resolve();
					};
					tx.onerror = () => reject(tx.error);
				};
			}),
		o
	);
}

/** Templates stored in this browser's IndexedDB, sorted by id. */
export async function storedTemplateIds(page: Page): Promise<string[]> {
	return (await storedRecords<string>(page, { store: 'templates', keys: true })).sort();
}

/**
 * Fills Settings' server form (Settings must be open) and presses "Add server"; what the app then shows is the
 * caller's to wait for.
 */
export async function fillAndAddServer(
	page: Page,
	o: { url: string; name: string; token?: string }
): Promise<void> {
	await page.getByLabel('Server address').fill(o.url);
	await page.getByLabel(/^Name/).fill(o.name);
	if (o.token !== undefined) await page.getByLabel(/^Token/).fill(o.token);
	await page.getByRole('button', { name: 'Add server' }).click();
}
