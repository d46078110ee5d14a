import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import mp4 from '../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4?url';
import webm from '../../../tests/fixtures/comfyui/media/harness_media_00002_.webm?url';
import CompareImages from './CompareImages.svelte';

describe('CompareImages with two videos', () => {
	it('plays them side by side, started together from their first frame, without the pictures’ slider', async () => {
		render(CompareImages, {
			left: { url: mp4, filename: 'mine.mp4' },
			right: { url: webm, filename: 'other.webm' },
			video: true
		});
		const mine = page.getByLabelText('This run: mine.mp4');
		const other = page.getByLabelText('Other run: other.webm');
		await expect.element(mine).toBeVisible();
		await expect.element(other).toBeVisible();
		// As every video result plays: the player's controls, looping, muted, inline.
		for (const player of [mine, other]) {
			const video = player.element() as HTMLVideoElement;
			expect([video.controls, video.loop, video.muted, video.playsInline]).toEqual([true, true, true, true]);
		}
		expect(page.getByRole('button', { name: 'Slider' }).elements()).toHaveLength(0);

		const videos = [mine, other].map((p) => p.element() as HTMLVideoElement);
		await page.getByRole('button', { name: 'Play both from the start' }).click();
		await expect.poll(() => videos.map((v) => v.paused)).toEqual([false, false]);
		await page.getByRole('button', { name: 'Pause both' }).click();
		await expect.poll(() => videos.map((v) => v.paused)).toEqual([true, true]);
	});

	it('keeps side by side and the slider for pictures', async () => {
		const png = (color: string) =>
			`data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="${color}"/></svg>`)}`;
		render(CompareImages, {
			left: { url: png('red'), filename: 'a.png', width: 8, height: 8 },
			right: { url: png('blue'), filename: 'b.png' }
		});
		await expect.element(page.getByRole('img', { name: 'This run: a.png' })).toBeVisible();
		await page.getByRole('button', { name: 'Slider' }).click();
		await expect.element(page.getByRole('slider', { name: /Slider position/ })).toHaveValue('50');
		expect(page.getByRole('button', { name: 'Play both from the start' }).elements()).toHaveLength(0);
	});
});
