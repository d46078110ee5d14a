import { describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { Expansion, ServerTarget } from '$lib/comfy/batch';
import { PARAMETERS } from '$lib/comfy/batch/testing/parameters';
import { BatchBuilderState } from '$lib/state/batch-builder.svelte';
import type { TargetServer } from '$lib/state/batch-target';
import BatchBuilder from './BatchBuilder.svelte';

const servers: TargetServer[] = [
	{ id: 's1', name: 'Studio box', status: 'online' },
	{ id: 's2', name: 'Attic', status: 'offline', message: 'Nothing answers at http://attic:8188/.' }
];

function setup() {
	const started: { expansion: Expansion; target: ServerTarget }[] = [];
	const builder = new BatchBuilderState({
		form: () => ({ parameters: PARAMETERS, values: { seed: 100, cfg: 7, steps: 20, sampler: 'euler' } }),
		servers: () => servers,
		formServer: () => 's1',
		start: async (expansion, target) => {
			started.push({ expansion, target });
			return expansion.axes.x ? { gridId: 'g1' } : {};
		}
	});
	render(BatchBuilder, { builder });
	return { builder, started };
}

async function openBuilder() {
	await page.getByText('Batch and grid').click();
}

describe('BatchBuilder', () => {
	it('asks in a dialog before queueing more than 100 runs; Cancel and Escape queue nothing', async () => {
		const { started } = setup();
		await openBuilder();
		await page.getByLabelText('Batch count').fill('120');
		await expect.element(page.getByRole('status')).toHaveTextContent('120 runs: 120 repeats');
		const queue = page.getByRole('button', { name: 'Queue 120 runs' });

		await queue.click();
		const dialog = page.getByRole('dialog', { name: 'Queue 120 runs?' });
		await expect.element(dialog).toBeVisible();
		await dialog.getByRole('button', { name: 'Cancel' }).click();
		await expect.element(dialog).not.toBeInTheDocument();
		expect(started).toHaveLength(0);

		await queue.click();
		await expect.element(dialog).toBeVisible();
		await userEvent.keyboard('{Escape}');
		await expect.element(dialog).not.toBeInTheDocument();
		expect(started).toHaveLength(0);

		await queue.click();
		await dialog.getByRole('button', { name: 'Queue 120 runs' }).click();
		await expect.element(dialog).not.toBeInTheDocument();
		expect(started).toHaveLength(1);
		expect(started[0]?.expansion.total).toBe(120);
	});

	it('queues up to 100 without asking, on the server picked, and links the grid it made', async () => {
		const { started } = setup();
		await openBuilder();
		const x = page.getByRole('group', { name: 'X axis (columns)' });
		await x.getByLabelText('Parameter').selectOptions('Steps');
		await expect.element(page.getByRole('status')).toHaveTextContent('4 runs: 4 Steps');
		await page.getByLabelText('Run on').selectOptions('Any free server');
		await page.getByRole('button', { name: 'Queue 4 runs' }).click();
		await expect
			.element(page.getByRole('link', { name: 'Open the grid' }))
			.toHaveAttribute('href', '#/grids/g1');
		expect(page.getByRole('dialog').query()).toBeNull();
		expect(started.map((s) => s.target)).toEqual([{ kind: 'any' }]);
	});

	it('says when the server picked is offline and why, and shows bad values on their field', async () => {
		setup();
		await openBuilder();
		await page.getByLabelText('Run on').selectOptions('Attic (offline)');
		await expect
			.element(page.getByText(/^Attic cannot be reached now, so runs cannot go to it\./))
			.toBeVisible();
		await page.getByLabelText('Batch count').fill('two');
		await expect.element(page.getByText('Enter a whole number of runs, 1 or more.')).toBeVisible();
		await expect.element(page.getByRole('button', { name: 'Queue runs' })).toBeDisabled();
		await expect.element(page.getByLabelText('Batch count')).toHaveValue('two');
	});
});
