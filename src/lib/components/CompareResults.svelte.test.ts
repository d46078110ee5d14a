import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import png from '../../../tests/fixtures/comfyui/images/invert-png.png?url';
import webp from '../../../tests/fixtures/comfyui/images/slow-seed-webp.webp?url';
import mp4 from '../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4?url';
import webm from '../../../tests/fixtures/comfyui/media/harness_media_00002_.webm?url';
import CompareResults from './CompareResults.svelte';

// Two runs that each made a video and a picture (a start frame and its clip), as History's detail page pairs them.
const videos = {
	kind: 'VIDEO' as const,
	left: { url: mp4, filename: 'mine.mp4' },
	right: { url: webm, filename: 'other.webm' }
};
const pictures = {
	kind: 'IMAGE' as const,
	left: { url: png, filename: 'mine.png' },
	right: { url: webp, filename: 'other.webp' }
};

describe('CompareResults', () => {
	it('compares two runs that each made a video and a picture by their videos first, and by their pictures on a click', async () => {
		const screen = render(CompareResults, { pairs: [videos, pictures] });
		const choice = page.getByRole('group', { name: 'Compare by' });
		await expect
			.element(choice.getByRole('button', { name: 'Videos' }))
			.toHaveAttribute('aria-pressed', 'true');
		const mine = page.getByLabelText('This run: mine.mp4');
		await expect.element(mine).toBeVisible();
		await expect.element(page.getByLabelText('Other run: other.webm')).toBeVisible();
		// The real files load in the players.
		await expect
			.poll(() => (mine.element() as HTMLVideoElement).readyState, { timeout: 5000 })
			.toBeGreaterThanOrEqual(1);

		await choice.getByRole('button', { name: 'Pictures' }).click();
		await expect
			.element(choice.getByRole('button', { name: 'Pictures' }))
			.toHaveAttribute('aria-pressed', 'true');
		await expect
			.element(choice.getByRole('button', { name: 'Videos' }))
			.toHaveAttribute('aria-pressed', 'false');
		const picture = page.getByRole('img', { name: 'This run: mine.png' });
		await expect.element(picture).toBeVisible();
		await expect.element(page.getByRole('img', { name: 'Other run: other.webp' })).toBeVisible();
		await expect.poll(() => (picture.element() as HTMLImageElement).naturalWidth).toBeGreaterThan(0);
		expect(page.getByLabelText('This run: mine.mp4').elements()).toHaveLength(0);
		// The pictures keep their slider.
		await page.getByRole('button', { name: 'Slider' }).click();
		await expect.element(page.getByRole('slider', { name: /Slider position/ })).toHaveValue('50');

		// Another run compared: the pick holds while it has pictures too…
		await screen.rerender({ pairs: [videos, { ...pictures, right: { url: png, filename: 'third.png' } }] });
		await expect.element(page.getByRole('img', { name: 'Other run: third.png' }).first()).toBeVisible();
		// …and a run that only made a video is compared by it, with no choice to make.
		await screen.rerender({ pairs: [videos] });
		await expect.element(page.getByLabelText('Other run: other.webm')).toBeVisible();
		expect(page.getByRole('group', { name: 'Compare by' }).elements()).toHaveLength(0);
	});
});
