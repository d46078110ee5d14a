import { expect, test, type Locator } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { appBase as base, resetSimulatorEachTest, openTemplate } from './page-helpers';

// Video and audio inputs (LoadVideo's `video_upload`, LoadAudio's `audio_upload`) on the generate form, against
// the simulator serving the app: checked before uploading, uploaded as ComfyUI's frontend does, previewed with a
// player, and fed from a run's results by "Use as input" (only to inputs of their kind).
const media = (name: string) => readFileSync(new URL(`../fixtures/comfyui/media/${name}`, import.meta.url));

resetSimulatorEachTest();

/** Waits until a media element has loaded what it needs to play (`loadeddata` for video, metadata for audio). */
async function expectPlays(element: Locator, readyState: number) {
	await expect
		.poll(() => element.evaluate((e: HTMLMediaElement) => (e.error ? -1 : e.readyState)), {
			timeout: 15_000
		})
		.toBeGreaterThanOrEqual(readyState);
}

test('a video and an audio file are checked, uploaded, previewed, and make a run', async ({ page }) => {
	test.setTimeout(90_000);
	await openTemplate(page, 'demo-media-remix');
	const videoGroup = page.getByRole('group', { name: 'Video' });
	const audioGroup = page.getByRole('group', { name: 'Audio' });

	// The wrong kind of file is refused with what to do, before anything is sent.
	let uploads = 0;
	page.on('request', (r) => {
		if (r.url().endsWith('/upload/image')) uploads++;
	});
	await videoGroup.locator('input[type="file"]').setInputFiles({
		name: 'song.mp4',
		mimeType: 'video/mp4',
		buffer: media('harness_media_00001_.flac')
	});
	await expect(videoGroup.getByRole('alert')).toHaveText(
		'"song.mp4" is not a video ComfyUI can load (MP4, MOV, WebM, MKV or AVI), whatever its name says.'
	);
	expect(uploads).toBe(0);

	// A real video goes to /upload/image (as ComfyUI's frontend sends every input file) and plays as a preview.
	const uploading = page.waitForResponse((r) => r.url().endsWith('/upload/image'));
	await videoGroup.locator('input[type="file"]').setInputFiles({
		name: 'walk.mp4',
		mimeType: 'video/mp4',
		buffer: media('harness_media_00001_.mp4')
	});
	expect(await (await uploading).json()).toEqual({ name: 'walk.mp4', subfolder: '', type: 'input' });
	await expect(videoGroup.getByRole('status')).toHaveText('Uploaded as walk.mp4.');
	await expect(page.getByLabel('Video', { exact: true })).toHaveValue('walk.mp4');
	await expectPlays(videoGroup.locator('video'), 2);
	const stored = await page.request.get(`${base}api/view?filename=walk.mp4&type=input`);
	expect(stored.headers()['content-type']).toBe('video/mp4');
	expect(Buffer.compare(await stored.body(), media('harness_media_00001_.mp4'))).toBe(0);

	await audioGroup.locator('input[type="file"]').setInputFiles({
		name: 'silence.flac',
		mimeType: 'audio/flac',
		buffer: media('harness_media_00001_.flac')
	});
	await expect(audioGroup.getByRole('status')).toHaveText('Uploaded as silence.flac.');
	await expectPlays(audioGroup.locator('audio'), 1);
	// Its waveform, read with Web Audio once the player found the file (half a second of silence: flat bars).
	await expect(audioGroup.locator('canvas')).toHaveAttribute('data-bars', '96');

	// The run loads both and saves a new video.
	const posting = page.waitForRequest((r) => r.url().endsWith('/prompt') && r.method() === 'POST');
	await page.getByRole('button', { name: 'Generate' }).click();
	const prompt = (await posting).postDataJSON() as { prompt: Record<string, { inputs: object }> };
	expect(prompt.prompt['1']?.inputs).toEqual({ file: 'walk.mp4' });
	expect(prompt.prompt['3']?.inputs).toEqual({ audio: 'silence.flac' });
	const result = page.getByRole('list', { name: 'Results' }).locator('video');
	await expect(result).toHaveCount(1, { timeout: 30_000 });
	await expectPlays(result, 2);
});

test('a video and an audio result are offered to inputs of their kind only, and a saved one is named, not copied', async ({
	page
}) => {
	test.setTimeout(90_000);
	await openTemplate(page, 'demo-media');
	await page.getByRole('button', { name: 'Generate' }).click();
	const results = page.getByRole('list', { name: 'Results' });
	await expect(results.locator('video')).toHaveCount(2, { timeout: 30_000 });

	// The audio file: only templates with an audio input are listed.
	await results.getByRole('button', { name: /^Use as input .*\.flac$/ }).click();
	const send = page.locator('form.send');
	await expect(send.getByRole('combobox')).toHaveText(
		'Demo: new soundtrack and speed for a video (no models)'
	);
	await send.getByRole('button', { name: 'Cancel' }).click();

	// The mp4 is saved in this server's output folder: the form names it there as ComfyUI loads it back
	// (`name [output]`, m_media.json), nothing is uploaded, and it plays from the server.
	await results.getByRole('button', { name: /^Use as input .*\.mp4$/ }).click();
	await expect(send.getByRole('combobox').locator('option')).toHaveText([
		'Demo: new soundtrack and speed for a video (no models)'
	]);
	let uploads = 0;
	page.on('request', (r) => {
		if (r.url().includes('/upload/')) uploads++;
	});
	await send.getByRole('button', { name: 'Open with this video' }).click();
	await expect(page).toHaveURL(/#\/generate\/demo-media-remix\?/);
	const field = page.getByLabel('Video', { exact: true });
	await expect(field).toHaveValue(/^video\/ComfyDeck-media_\d+_\.mp4 \[output\]$/);
	await expectPlays(page.getByRole('group', { name: 'Video' }).locator('video'), 2);
	expect(uploads).toBe(0);

	// The run loads it from the output folder.
	const posting = page.waitForRequest((r) => r.url().endsWith('/prompt') && r.method() === 'POST');
	await page.getByRole('button', { name: 'Generate' }).click();
	const prompt = (await posting).postDataJSON() as { prompt: Record<string, { inputs: { file?: string } }> };
	expect(prompt.prompt['1']?.inputs.file).toBe(await field.inputValue());
	await expect(page.getByRole('list', { name: 'Results' }).locator('video')).toHaveCount(1, {
		timeout: 30_000
	});

	// The saved results of this server are offered as `name [output]`, as ComfyUI loads them back.
	const saved = page
		.getByLabel('Soundtrack', { exact: true })
		.locator('optgroup[label="Saved by your runs"] option');
	await expect(saved).toHaveText([/^audio\/ComfyDeck-media_\d+_\.flac \[output\]$/]);
});
