import { describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import png from '../../../tests/fixtures/comfyui/images/invert-png.png?url';
import webp from '../../../tests/fixtures/comfyui/images/slow-seed-webp.webp?url';
import mp4 from '../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4?url';
import webm from '../../../tests/fixtures/comfyui/media/harness_media_00002_.webm?url';
import flac from '../../../tests/fixtures/comfyui/media/harness_media_00001_.flac?url';
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

	it('compares two runs that each made a sound with two named players, side by side on a wide screen and stacked on a phone', async () => {
		// The real FLAC ComfyUI's SaveAudio wrote (m_media.json), as each run's kept bytes.
		const blob = await (await fetch(flac)).blob();
		const sound = (filename: string) => ({ url: URL.createObjectURL(blob), filename, blob, duration: 0.5 });
		const sounds = { kind: 'AUDIO' as const, left: sound('mine.flac'), right: sound('other.flac') };
		await page.viewport(1280, 800);
		render(CompareResults, { pairs: [sounds, pictures] });

		// Sounds before pictures, and the pictures one click away.
		const choice = page.getByRole('group', { name: 'Compare by' });
		await expect
			.element(choice.getByRole('button', { name: 'Sounds' }))
			.toHaveAttribute('aria-pressed', 'true');
		await expect.element(choice.getByRole('button', { name: 'Pictures' })).toBeVisible();
		const mine = page.getByLabelText('This run: mine.flac');
		const other = page.getByLabelText('Other run: other.flac');
		for (const player of [mine, other]) {
			await expect.element(player).toBeVisible();
			expect((player.element() as HTMLAudioElement).controls).toBe(true);
			// The real file loads: the player knows its length.
			await expect
				.poll(() => (player.element() as HTMLAudioElement).duration, { timeout: 5000 })
				.toBeCloseTo(0.5, 1);
		}
		// Each names its run and its file as text, not only to a screen reader.
		const captions = page
			.getByRole('figure')
			.elements()
			.map((f) => f.textContent?.replace(/\s+/g, ' ').trim());
		expect(captions).toEqual(['This run mine.flac 500 ms', 'Other run other.flac 500 ms']);

		// Side by side on a wide screen…
		const box = (player: typeof mine) => player.element().getBoundingClientRect();
		expect(box(other).top).toBe(box(mine).top);
		expect(box(other).left).toBeGreaterThan(box(mine).right);
		// …one above the other on a phone, each as wide as the screen allows.
		await page.viewport(360, 740);
		await expect.poll(() => box(other).top).toBeGreaterThan(box(mine).bottom);
		expect(box(other).left).toBe(box(mine).left);

		// Starting one pauses the other: two sounds at once tell nothing.
		const [a, b] = [mine, other].map((p) => p.element() as HTMLAudioElement);
		await a!.play();
		await expect.poll(() => a!.paused).toBe(false);
		await b!.play();
		await expect.poll(() => a!.paused).toBe(true);
		expect(b!.paused).toBe(false);
		b!.pause();

		// No video player, no slider: a sound is not a picture.
		expect(document.querySelectorAll('video')).toHaveLength(0);
		expect(page.getByRole('button', { name: 'Slider' }).elements()).toHaveLength(0);
	});
});
