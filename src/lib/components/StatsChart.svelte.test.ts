import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ChartColumns } from '$lib/util/time-series';
import StatsChart from './StatsChart.svelte';

const series = [{ label: 'Used', color: '--accent', fill: true }];
const gib = (v: number) => `${v.toFixed(1)} GiB`;

describe('StatsChart', () => {
	it('says it is waiting while there is no sample', async () => {
		render(StatsChart, { label: 'VRAM', data: [[], []], series, format: gib });
		await expect.element(page.getByText('Waiting for the first sample…')).toBeVisible();
		await expect.element(page.getByRole('figure', { name: 'VRAM' })).toHaveTextContent(/Used\s*–/);
	});

	it('draws the samples and shows the newest value in the legend, updating with new data', async () => {
		const data: ChartColumns = [
			[1000, 1003, 1006],
			[2, 3.5, null]
		];
		const screen = render(StatsChart, { label: 'VRAM', data, series, format: gib, yMax: 24 });
		await expect.element(page.getByRole('figure', { name: 'VRAM' })).toHaveTextContent('3.5 GiB');
		// uPlot loads with the first chart, so the canvas comes a moment after the legend.
		await expect.poll(() => screen.container.querySelector('canvas')).not.toBeNull();
		await screen.rerender({
			data: [
				[1000, 1003, 1006, 1009],
				[2, 3.5, null, 7.25]
			]
		});
		await expect.element(page.getByRole('figure', { name: 'VRAM' })).toHaveTextContent('7.3 GiB');
		await expect.element(page.getByText('Waiting for the first sample…')).not.toBeInTheDocument();
	});
});
