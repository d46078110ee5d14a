import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import HistoryValue from './HistoryValue.svelte';

describe('HistoryValue', () => {
	it('shows a text as typed, markup included, as text', async () => {
		const { container } = render(HistoryValue, { value: '<b>bold</b> cat' });
		await expect.element(page.getByText('<b>bold</b> cat')).toBeVisible();
		expect(container.querySelector('b')).toBeNull();
	});

	it('writes numbers, booleans and lists as JSON and no value as a dash', async () => {
		render(HistoryValue, { value: 7.5 });
		render(HistoryValue, { value: false });
		render(HistoryValue, { value: ['4', 0] });
		render(HistoryValue, { value: undefined });
		for (const text of ['7.5', 'false', '["4",0]', '—'])
			await expect.element(page.getByText(text, { exact: true })).toBeVisible();
	});
});
