import { describe, expect, it } from 'vitest';
import { checkMediaUpload, detectMediaContainer, MEDIA_HEAD_BYTES } from './media-upload-check';
import { fixtureBytes } from './testing/fixtures';

const text = (s: string) => new TextEncoder().encode(s.padEnd(MEDIA_HEAD_BYTES, '\0'));

describe('detectMediaContainer', () => {
	it.each([
		// The files a real ComfyUI 0.8 saved (m_media.json).
		['mp4', fixtureBytes('media/harness_media_00001_.mp4')],
		['webm', fixtureBytes('media/harness_media_00002_.webm')],
		['flac', fixtureBytes('media/harness_media_00001_.flac')],
		['mov', text('\0\0\0\x14ftypqt  ')],
		['m4a', text('\0\0\0\x20ftypM4A ')],
		['mkv', Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, ...text('B\x82\x88matroska')])],
		['avi', text('RIFF\0\0\0\0AVI LIST')],
		['wav', text('RIFF\0\0\0\0WAVEfmt ')],
		['ogg', text('OggS\0\x02')],
		['mp3', text('ID3\x04\0')],
		['mp3', Uint8Array.from([0xff, 0xfb, 0x90, 0x64])],
		[undefined, fixtureBytes('media/harness_media_00001_.webp')],
		[undefined, text('just some text')],
		[undefined, new Uint8Array(0)]
	])('%s', (container, bytes) => {
		expect(detectMediaContainer({ bytes: bytes.subarray(0, MEDIA_HEAD_BYTES) })).toBe(container);
	});
});

describe('checkMediaUpload', () => {
	const mp4 = fixtureBytes('media/harness_media_00001_.mp4');
	const flac = fixtureBytes('media/harness_media_00001_.flac');

	it('accepts a real video for a video input, with its type and a safe name', () => {
		expect(checkMediaUpload({ accept: 'video', name: 'clips/../walk.mp4', bytes: mp4 })).toEqual({
			ok: true,
			type: 'mp4',
			mime: 'video/mp4',
			fileName: 'walk.mp4'
		});
	});

	it('gives a file named wrongly the extension of what it is', () => {
		const check = checkMediaUpload({ accept: 'audio', name: 'take 3.mp4', bytes: flac });
		expect(check).toMatchObject({ ok: true, type: 'flac', fileName: 'take 3.mp4.flac' });
	});

	it('lets an audio input take a video (LoadAudio reads its sound) but not a video input take audio', () => {
		expect(checkMediaUpload({ accept: 'audio', name: 'a.mp4', bytes: mp4 }).ok).toBe(true);
		const check = checkMediaUpload({ accept: 'video', name: 'song.mp4', bytes: flac });
		expect(check).toMatchObject({ ok: false, code: 'wrong-type' });
		expect(check.ok ? '' : check.message).toBe(
			'"song.mp4" is not a video ComfyUI can load (MP4, MOV, WebM, MKV or AVI), whatever its name says.'
		);
	});

	it('refuses a picture or text for an audio input, saying what it takes', () => {
		const check = checkMediaUpload({ accept: 'audio', name: 'x.flac', bytes: text('hello') });
		expect(check.ok ? '' : check.message).toMatch(/^"x\.flac" is not audio ComfyUI can load \(FLAC, MP3/);
	});

	it('refuses an empty file and one over the server limit, before reading its type', () => {
		expect(checkMediaUpload({ accept: 'video', name: 'e.mp4', bytes: new Uint8Array(0) })).toMatchObject({
			ok: false,
			code: 'empty',
			message: '"e.mp4" is empty.'
		});
		const big = checkMediaUpload({
			accept: 'video',
			name: 'long.mp4',
			bytes: mp4.subarray(0, MEDIA_HEAD_BYTES),
			size: 300 * 1024 * 1024,
			maxUploadSize: 100 * 1024 * 1024
		});
		expect(big.ok ? '' : big.message).toBe(
			'"long.mp4" is 300 MB; this server accepts uploads up to 100 MB. Use a shorter or smaller video, or start ComfyUI with a larger --max-upload-size.'
		);
	});
});
