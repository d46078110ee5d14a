import { afterEach, describe, expect, it, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { ResultSavingLoader } from '$lib/state/result-saving-loader.svelte';
import type { PermissionedFolder } from '$lib/util/folder-writer';
import ResultSavingCard from './ResultSavingCard.svelte';

afterEach(() => vi.unstubAllGlobals());

// No database: the choice lives in the state only, which is all the card shows.
async function savingWith(pickFolder?: () => Promise<PermissionedFolder>) {
	const loader = new ResultSavingLoader({ db: Promise.resolve(null), ...(pickFolder ? { pickFolder } : {}) });
	const saving = await loader.load();
	if (!saving) throw new Error(`result saving did not load: ${loader.error}`);
	return { loader, saving };
}

const group = () => page.getByRole('group', { name: 'Save each result' });
const radio = (name: string | RegExp) => group().getByRole('radio', { name });
const DOWNLOADS = 'As downloads: a file per result, a zip per batch or grid';

describe('ResultSavingCard', () => {
	it('is one radio group named by its legend, each choice named by its words', async () => {
		const { loader } = await savingWith(async () => ({ name: 'Renders' }) as PermissionedFolder);
		render(ResultSavingCard, { loader });
		await expect.element(group()).toBeVisible();
		expect(group().getByRole('radio').all()).toHaveLength(3);
		await expect.element(radio('Only in this browser')).toBeChecked();
		await expect.element(radio('Into a folder on this computer')).not.toBeChecked();
		await expect.element(radio(DOWNLOADS)).not.toBeChecked();
	});

	it('is chosen with the arrow keys; passing "Into a folder" opens no picker, its button does', async () => {
		const pickFolder = vi.fn(async () => ({ name: 'Renders' }) as PermissionedFolder);
		const { loader, saving } = await savingWith(pickFolder);
		render(ResultSavingCard, { loader });
		await radio('Only in this browser').click();
		await userEvent.keyboard('{ArrowDown}');
		await expect.element(radio('Into a folder on this computer')).toBeChecked();
		await expect.element(page.getByText('No folder chosen yet')).toBeVisible();
		expect(pickFolder).not.toHaveBeenCalled();
		expect(saving.mode).toBe('off');

		await userEvent.keyboard('{ArrowDown}');
		await expect.element(radio(DOWNLOADS)).toBeChecked();
		expect(saving.mode).toBe('download');

		await userEvent.keyboard('{ArrowUp}');
		await userEvent.keyboard('{Tab}');
		await expect.element(page.getByRole('button', { name: 'Choose a folder' })).toHaveFocus();
		await userEvent.keyboard('{Enter}');
		await expect.element(page.getByText('Saving into the folder Renders')).toBeVisible();
		expect(pickFolder).toHaveBeenCalledOnce();
		expect(saving.mode).toBe('folder');
		await expect.element(radio('Into a folder on this computer')).toBeChecked();
	});

	it('keeps "Into a folder" picked when the picker is cancelled, the mode as it was', async () => {
		const { loader, saving } = await savingWith(() =>
			Promise.reject(new DOMException('cancelled', 'AbortError'))
		);
		await saving.setMode('download');
		render(ResultSavingCard, { loader });
		await radio('Into a folder on this computer').click();
		await page.getByRole('button', { name: 'Choose a folder' }).click();
		await expect.element(radio('Into a folder on this computer')).toBeChecked();
		await expect.element(page.getByRole('button', { name: 'Choose a folder' })).toBeVisible();
		expect(saving.mode).toBe('download');
	});

	it('where the browser cannot write into a folder, says why beside the choice it turns off', async () => {
		vi.stubGlobal('showDirectoryPicker', undefined);
		render(ResultSavingCard, { loader: (await savingWith()).loader });
		const folder = radio('Into a folder on this computer');
		await expect.element(folder).toBeDisabled();
		await expect.element(folder).toHaveAccessibleDescription(/This browser cannot write into a folder/);
		await expect.element(radio(DOWNLOADS)).toBeEnabled();
	});
});
