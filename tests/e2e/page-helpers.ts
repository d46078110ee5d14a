// Page actions several e2e specs share.
import type { Page } from '@playwright/test';

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

/** Templates stored in this browser's IndexedDB, sorted by id. */
export async function storedTemplateIds(page: Page): Promise<string[]> {
	return page.evaluate(
		() =>
			new Promise<string[]>((resolve, reject) => {
				const open = indexedDB.open('comfy-deck');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const req = open.result.transaction('templates').objectStore('templates').getAllKeys();
					req.onsuccess = () => {
						resolve((req.result as string[]).sort());
						open.result.close();
					};
				};
			})
	);
}
