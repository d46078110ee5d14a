import { afterEach, describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import HistoryWorkflow from './HistoryWorkflow.svelte';

// A title a hostile workflow could carry: it must show as the characters it is, never as markup.
const json = JSON.stringify({
	'1': { class_type: 'EmptyImage', _meta: { title: '<img src=x onerror=alert(1)>' } }
});

afterEach(() => {
	vi.restoreAllMocks();
});

describe('HistoryWorkflow', () => {
	it('shows the workflow only when asked, as text', async () => {
		render(HistoryWorkflow, { json, nodeCount: 1, filename: 'run.json' });
		await expect.element(page.getByText('1 node, exactly as sent to the server.')).toBeVisible();
		const toggle = page.getByRole('button', { name: 'View workflow' });
		await expect.element(toggle).toHaveAttribute('aria-expanded', 'false');
		await expect.element(page.getByLabelText('API workflow JSON')).not.toBeInTheDocument();

		await toggle.click();
		const shown = page.getByLabelText('API workflow JSON');
		await expect.element(shown).toHaveTextContent(json);
		expect(shown.element().querySelector('img')).toBeNull();
		await page.getByRole('button', { name: 'Hide workflow' }).click();
		await expect.element(shown).not.toBeInTheDocument();
	});

	it('copies the workflow, and says what to do when the browser refuses the clipboard', async () => {
		const write = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValueOnce(undefined);
		render(HistoryWorkflow, { json, nodeCount: 3, filename: 'run.json' });
		await expect.element(page.getByText('3 nodes, exactly as sent to the server.')).toBeVisible();
		const copy = page.getByRole('button', { name: 'Copy workflow' });
		await copy.click();
		expect(write).toHaveBeenCalledWith(json);
		await expect.element(page.getByRole('status')).toHaveTextContent('Workflow copied.');

		write.mockRejectedValueOnce(new DOMException('Denied', 'NotAllowedError'));
		await copy.click();
		await expect
			.element(page.getByRole('status'))
			.toHaveTextContent('The browser refused the clipboard: open the workflow and select it instead.');
	});
});
