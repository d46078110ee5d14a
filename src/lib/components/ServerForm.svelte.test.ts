import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ServerForm from './ServerForm.svelte';

describe('ServerForm', () => {
	it('shows the field error next to the address and keeps what was typed', async () => {
		const onsave = vi.fn(async () => ({
			ok: false as const,
			errors: { baseUrl: 'Use an http:// or https:// address (not ftp://).' }
		}));
		render(ServerForm, { onsave });
		const address = page.getByLabelText('Server address');
		await address.fill('ftp://box');
		await page.getByLabelText(/Name/).fill('Box');
		await page.getByRole('button', { name: 'Add server' }).click();

		await expect.element(page.getByText('Use an http:// or https:// address')).toBeVisible();
		await expect.element(address).toHaveValue('ftp://box');
		await expect.element(address).toHaveAttribute('aria-invalid', 'true');
		expect(onsave).toHaveBeenCalledWith({ name: 'Box', baseUrl: 'ftp://box', token: '' });
	});

	it('clears the form after a successful add', async () => {
		const onsave = vi.fn(async (input: { name: string; baseUrl: string }) => ({
			ok: true as const,
			server: { id: '1', name: input.name, baseUrl: 'http://box:8188/', order: 0, createdAt: 0 }
		}));
		render(ServerForm, { onsave });
		await page.getByLabelText('Server address').fill('box:8188');
		await page.getByRole('button', { name: 'Add server' }).click();
		await expect.element(page.getByLabelText('Server address')).toHaveValue('');
	});
});
