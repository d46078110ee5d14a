import { expect, type Locator, type Page } from '@playwright/test';

// What the demo-media run (the m_media workflow: an MP4, a WebM, an animated WebP, a FLAC and a text) must look
// like wherever it is shown: the run, its History page, after a reload, a backup or a restart.

/** Waits until the `<video>` has decoded its first frame (`loadeddata`, readyState ≥ 2). */
export async function expectVideoPlays(video: Locator) {
	await expect
		.poll(() => video.evaluate((v: HTMLVideoElement) => (v.error ? -1 : v.readyState)), { timeout: 15_000 })
		.toBeGreaterThanOrEqual(2);
	expect(await video.evaluate((v: HTMLVideoElement) => [v.muted, v.loop, v.controls, v.playsInline])).toEqual(
		[true, true, true, true]
	);
}

export async function expectEveryKind(page: Page) {
	const results = page.getByRole('list', { name: 'Results' });
	const videos = results.locator('video');
	await expect(videos).toHaveCount(2, { timeout: 30_000 });
	for (const video of await videos.all()) await expectVideoPlays(video);
	const audio = results.locator('audio');
	await expect(audio).toHaveCount(1);
	await expect
		.poll(() => audio.evaluate((a: HTMLAudioElement) => (a.error ? -1 : a.readyState)), { timeout: 15_000 })
		.toBeGreaterThanOrEqual(1);
	// Its waveform, kept with it (EmptyAudio's silence: 96 flat bars).
	await expect(results.locator('canvas[data-bars]')).toHaveAttribute('data-bars', '96');
	const webp = results.getByRole('img', { name: /\.webp$/ });
	await expect(webp).toHaveCount(1);
	await expect.poll(() => webp.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
	const texts = page.getByRole('list', { name: 'Text results' });
	await expect(texts.getByText('a caption from PrimitiveString')).toBeVisible();
	// Nothing shown broken.
	await expect(page.getByRole('note')).toHaveCount(0);
}
