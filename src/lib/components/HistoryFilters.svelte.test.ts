import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { HistoryQuery } from '$lib/state/history-query';
import type { HistoryFacets } from '$lib/storage/history';
import HistoryFilters from './HistoryFilters.svelte';

const facets: HistoryFacets = {
	templates: [
		{ id: 'sd15', name: 'SD 1.5 text to image' },
		{ id: 'sdxl', name: 'SDXL text to image' }
	],
	serverIds: ['s1'],
	statuses: ['succeeded', 'failed'],
	tags: ['keeper'],
	styles: []
};

function filters(query: HistoryQuery, more: Partial<HistoryFacets> = {}) {
	const onchange = vi.fn();
	const onclear = vi.fn();
	render(HistoryFilters, {
		query,
		facets: { ...facets, ...more },
		serverName: (id: string) => `Server ${id}`,
		onchange,
		onclear
	});
	return { onchange, onclear };
}

describe('HistoryFilters', () => {
	it('sends each choice, and keeps a filter from the URL that no run has any more', async () => {
		await page.viewport(1280, 800);
		const { onchange } = filters({ template: 'deleted-template', tag: 'gone' });

		const template = page.getByRole('combobox', { name: 'Template' });
		await expect.element(template).toHaveValue('deleted-template');
		await expect.element(page.getByRole('combobox', { name: 'Tag' })).toHaveValue('gone');
		await template.selectOptions('SDXL text to image');
		expect(onchange).toHaveBeenLastCalledWith('template', 'sdxl');
		await page.getByRole('combobox', { name: 'Status' }).selectOptions('Failed');
		expect(onchange).toHaveBeenLastCalledWith('status', 'failed');
		await page.getByLabelText('From').fill('2026-12-01');
		expect(onchange).toHaveBeenLastCalledWith('from', '2026-12-01');
	});

	it('offers Server and Style only when there is a choice to make', async () => {
		await page.viewport(1280, 800);
		filters({});
		await expect.element(page.getByRole('combobox', { name: 'Status' })).toBeVisible();
		await expect.element(page.getByRole('combobox', { name: 'Server' })).not.toBeInTheDocument();
		await expect.element(page.getByRole('combobox', { name: 'Style' })).not.toBeInTheDocument();
		await expect.element(page.getByRole('button', { name: 'Clear filters' })).not.toBeInTheDocument();
	});

	it('names the servers and styles the runs have, and clears every filter at once', async () => {
		await page.viewport(1280, 800);
		const { onchange, onclear } = filters(
			{ style: 'watercolour' },
			{ serverIds: ['s1', 's2'], styles: ['watercolour', 'ink'] }
		);
		await page.getByRole('combobox', { name: 'Server' }).selectOptions('Server s2');
		expect(onchange).toHaveBeenLastCalledWith('server', 's2');
		await expect.element(page.getByRole('combobox', { name: 'Style' })).toHaveValue('watercolour');
		await page.getByRole('button', { name: 'Clear filters' }).click();
		expect(onclear).toHaveBeenCalledOnce();
	});

	it('searches once typing pauses, with the last words typed', async () => {
		const { onchange } = filters({});
		const search = page.getByRole('searchbox', { name: 'Search prompts' });
		await search.fill('red');
		await search.fill('red fox');
		await expect.poll(() => onchange.mock.calls).toEqual([['q', 'red fox']]);
	});

	it('on a phone shows the search alone until More filters, which counts the filters in use', async () => {
		await page.viewport(360, 740);
		filters({ status: 'failed', tag: 'keeper' });
		await expect.element(page.getByRole('searchbox', { name: 'Search prompts' })).toBeVisible();
		// Hidden, so out of the accessibility tree too.
		await expect.element(page.getByRole('combobox', { name: 'Status' })).not.toBeInTheDocument();
		const more = page.getByRole('button', { name: 'More filters (2)' });
		await expect.element(more).toHaveAttribute('aria-expanded', 'false');
		await more.click();
		await expect.element(page.getByRole('combobox', { name: 'Status' })).toBeVisible();
		await expect
			.element(page.getByRole('button', { name: 'Fewer filters' }))
			.toHaveAttribute('aria-expanded', 'true');
	});
});
