import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { HistoryItem } from '$lib/storage/history';
import HistoryParams from './HistoryParams.svelte';

const other = (id: string, createdAt: number): HistoryItem => ({
	id,
	createdAt,
	status: 'succeeded',
	serverId: 's1',
	imageCount: 1,
	tags: []
});

describe('HistoryParams', () => {
	it('lists the parameters as text, never as markup, with a dash for no value', async () => {
		const { container } = render(HistoryParams, {
			parameters: { prompt: '<img src=x onerror=alert(1)>', steps: 20, size: { w: 512 }, negative: null },
			others: [],
			compareId: '',
			diff: undefined,
			oncompare: vi.fn()
		});
		await expect
			.element(page.getByRole('row', { name: 'prompt' }))
			.toHaveTextContent('<img src=x onerror=alert(1)>');
		await expect.element(page.getByRole('row', { name: 'size' })).toHaveTextContent('{"w":512}');
		await expect.element(page.getByRole('row', { name: 'negative' })).toHaveTextContent('—');
		expect(container.querySelector('img')).toBeNull();
		await expect.element(page.getByText('No other run of this template to compare with.')).toBeVisible();
	});

	it('compares with the chosen run and shows both values of what differs', async () => {
		const oncompare = vi.fn();
		render(HistoryParams, {
			parameters: { steps: 20 },
			others: [other('older', 1_000), other('oldest', 500)],
			compareId: 'older',
			diff: [{ key: 'steps', left: 20, right: 30 }],
			oncompare
		});
		const row = page
			.getByRole('table', { name: 'Difference to another run' })
			.getByRole('row', { name: 'steps' });
		await expect.element(row).toHaveTextContent('2030');
		await expect
			.element(page.getByRole('link', { name: 'Open the other run' }))
			.toHaveAttribute('href', '#/history/older');
		await page.getByRole('combobox', { name: 'Compare with' }).selectOptions('oldest');
		expect(oncompare).toHaveBeenCalledWith('oldest');
	});

	it('names parameters as the form does, and an id the template no longer has as it is', async () => {
		render(HistoryParams, {
			parameters: { steps: 20, cfg_old: 7 },
			labels: { steps: 'Steps', cfg: 'CFG' },
			others: [other('older', 1_000)],
			compareId: 'older',
			diff: [{ key: 'steps', left: 20, right: 30 }],
			oncompare: vi.fn()
		});
		const params = page.getByRole('region', { name: 'Parameters' });
		await expect.element(params.getByRole('rowheader', { name: 'Steps', exact: true }).first()).toBeVisible();
		await expect.element(params.getByRole('rowheader', { name: 'cfg_old' })).toBeVisible();
		await expect
			.element(
				page
					.getByRole('table', { name: 'Difference to another run' })
					.getByRole('rowheader', { name: 'Steps' })
			)
			.toBeVisible();
		expect(page.getByRole('rowheader', { name: 'steps', exact: true }).elements()).toHaveLength(0);
	});

	it('says so when the other run had the same parameters', async () => {
		render(HistoryParams, {
			parameters: { steps: 20 },
			others: [other('older', 1_000)],
			compareId: 'older',
			diff: [],
			oncompare: vi.fn()
		});
		await expect.element(page.getByText('Same parameters as that run.')).toBeVisible();
	});
});
