import { describe, expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import { ThumbnailUrls } from '$lib/state/thumbnail-urls';
import { openDeckDb } from '$lib/storage/db';
import type { HistoryItem } from '$lib/storage/history';
import { putImage } from '$lib/storage/images';
import HistoryCard from './HistoryCard.svelte';

/** A 4×4 PNG, as a kept run's thumbnail. */
async function png(): Promise<Blob> {
	const canvas = new OffscreenCanvas(4, 4);
	const context = canvas.getContext('2d');
	if (context) context.fillStyle = '#3366cc';
	context?.fillRect(0, 0, 4, 4);
	return canvas.convertToBlob({ type: 'image/png' });
}

const run = (over: Partial<HistoryItem> = {}): HistoryItem => ({
	id: 'p/1',
	createdAt: Date.UTC(2026, 11, 7, 9, 30),
	status: 'succeeded',
	serverId: 's1',
	templateName: 'SD 1.5 text to image',
	imageCount: 1,
	tags: [],
	...over
});

async function setup(item: HistoryItem, options: { onview?: () => void } = {}) {
	const db = openDeckDb({ name: `history-card-${Math.random()}` });
	const onselect = vi.fn();
	render(HistoryCard, {
		item,
		status: item.status,
		selected: false,
		urls: new ThumbnailUrls(db),
		serverName: 'Studio box',
		onselect,
		...options
	});
	return { db, onselect };
}

describe('HistoryCard', () => {
	it('names the run on its link, with what tells it apart, and shows hostile text as text', async () => {
		await setup(
			run({
				kinds: ['video'],
				mediaSeconds: 4,
				imageCount: 3,
				style: 'watercolour',
				durationMs: 2500,
				summary: {
					prompt: '<img src=x onerror=alert(1)> a lighthouse',
					seed: 42,
					width: 512,
					height: 768,
					model: 'v1-5.safetensors'
				}
			})
		);
		const link = page.getByRole('link', { name: /^Open SD 1\.5 text to image, / });
		await expect.element(link).toHaveAttribute('href', '#/history/p%2F1');
		await expect.element(link).toHaveAccessibleName(/, 3 results, Done, /);
		await expect.element(page.getByText('<img src=x onerror=alert(1)> a lighthouse')).toBeVisible();
		await expect.element(page.getByText('512×768 · seed 42 · v1-5.safetensors')).toBeVisible();
		await expect.element(page.getByText('watercolour')).toBeVisible();
		await expect.element(page.getByText('· Studio box')).toBeVisible();
		expect(document.querySelectorAll('img[src="x"]')).toHaveLength(0);
	});

	it('shows the kept thumbnail, and a placeholder for a run that kept none', async () => {
		const db = openDeckDb({ name: `history-card-${Math.random()}` });
		const hash = await putImage(await db, { blob: await png(), width: 4, height: 4 });
		render(HistoryCard, {
			item: run({ thumbHash: hash }),
			status: 'succeeded',
			selected: false,
			urls: new ThumbnailUrls(db),
			serverName: '',
			onselect: () => undefined
		});
		// The stored picture itself, decoded (a broken or missing one has no natural width).
		const thumbnail = () => page.getByRole('link').element().querySelector('img');
		await expect.poll(() => thumbnail()?.naturalWidth).toBe(4);

		document.body.replaceChildren();
		await setup(run({ id: 'p2', status: 'failed', imageCount: 0 }));
		await expect.element(page.getByRole('link', { name: /Failed/ })).toBeVisible();
		expect(document.querySelector('[data-thumb="none"]')).not.toBeNull();
	});

	it('selects with its checkbox, and offers the viewer only for a run with a picture', async () => {
		const onview = vi.fn();
		const { onselect } = await setup(run({ thumbHash: 'abc' }), { onview });
		await page.getByRole('checkbox', { name: /^Select SD 1\.5 text to image, / }).click();
		expect(onselect).toHaveBeenCalledWith(true);
		await page.getByRole('button', { name: /^View SD 1\.5 text to image, .*full window$/ }).click();
		expect(onview).toHaveBeenCalledTimes(1);

		document.body.replaceChildren();
		await setup(run({ id: 'p3' }), { onview });
		await expect.element(page.getByRole('checkbox')).toBeVisible();
		await expect.element(page.getByRole('button', { name: /^View / })).not.toBeInTheDocument();
	});
});
