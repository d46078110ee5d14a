import { afterEach, describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ServerLinkPrompt from './ServerLinkPrompt.svelte';

describe('ServerLinkPrompt', () => {
	const start = location.href;
	afterEach(() => history.replaceState(history.state, '', start));

	it('shows the untrusted address as text and adds only on Add', async () => {
		const onanswer = vi.fn();
		const url = 'http://box:8188/<img src=x onerror=alert(1)>/';
		const { container } = render(ServerLinkPrompt, { offer: { kind: 'ask', url }, onanswer });

		await expect.element(page.getByRole('region', { name: 'Add the server this link names?' })).toBeVisible();
		await expect.element(page.getByText(url)).toBeVisible();
		expect(container.querySelector('img')).toBeNull();
		expect(onanswer).not.toHaveBeenCalled();

		await page.getByRole('button', { name: 'Add', exact: true }).click();
		expect(onanswer).toHaveBeenCalledWith(true);
	});

	it('answers no on Not now and takes the parameter out of the address bar', async () => {
		history.replaceState(history.state, '', '?server=box%3A8188&keep=1');
		const onanswer = vi.fn();
		render(ServerLinkPrompt, { offer: { kind: 'ask', url: 'http://box:8188/' }, onanswer });

		await page.getByRole('button', { name: 'Not now' }).click();
		expect(onanswer).toHaveBeenCalledWith(false);
		expect(location.search).toBe('?keep=1');
	});

	it('explains an address it cannot use and offers no way to add it', async () => {
		const onanswer = vi.fn();
		render(ServerLinkPrompt, {
			offer: {
				kind: 'invalid',
				given: 'ftp://box',
				message: 'Use an http:// or https:// address (not ftp://).'
			},
			onanswer
		});
		await expect.element(page.getByText(/Use an http:\/\/ or https:\/\/ address/)).toBeVisible();
		await expect.element(page.getByRole('button', { name: 'Add', exact: true })).not.toBeInTheDocument();
		await page.getByRole('button', { name: 'Dismiss' }).click();
		expect(onanswer).toHaveBeenCalledWith(false);
	});
});
