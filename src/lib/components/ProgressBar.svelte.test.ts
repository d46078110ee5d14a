import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ProgressBar from './ProgressBar.svelte';

describe('ProgressBar', () => {
	it('announces the rounded percentage under its name and fills that much of its width', async () => {
		render(ProgressBar, { label: 'Progress of CFG 5 · Seed 100', fraction: 0.626 });
		const bar = page.getByRole('progressbar', { name: 'Progress of CFG 5 · Seed 100' });
		await expect.element(bar).toHaveAttribute('aria-valuenow', '63');
		const fill = bar.element().firstElementChild as HTMLElement;
		const filled = () => fill.getBoundingClientRect().width / bar.element().getBoundingClientRect().width;
		await expect.poll(filled).toBeCloseTo(0.63, 2);
	});

	it('never reads past 0 or 100 when a server reports a step beyond the last', async () => {
		render(ProgressBar, { label: 'Overall progress', fraction: 1.4, large: true });
		await expect
			.element(page.getByRole('progressbar', { name: 'Overall progress' }))
			.toHaveAttribute('aria-valuenow', '100');
	});
});
