import { describe, expect, it } from 'vitest';
import {
	annotatedFileValue,
	checkImageUpload,
	detectImageType,
	serverFileOfValue,
	uploadedImageValue
} from './image-upload-check';
import { fixtureBytes } from './testing/fixtures';

const bytes = (...b: number[]) => Uint8Array.from([...b, ...new Array<number>(16).fill(0)]);

describe('detectImageType', () => {
	it.each([
		['png', fixtureBytes('images/invert-png.png')],
		['webp', fixtureBytes('images/slow-seed-webp.webp')],
		['jpeg', bytes(0xff, 0xd8, 0xff, 0xdb)],
		['gif', new TextEncoder().encode('GIF89a0000000000')],
		['bmp', bytes(0x42, 0x4d)],
		['tiff', bytes(0x49, 0x49, 0x2a, 0x00)],
		[undefined, new TextEncoder().encode('this is not an image')],
		[undefined, new TextEncoder().encode('RIFF0000WAVEfmt ')],
		[undefined, new Uint8Array(0)]
	])('%s', (type, data) => {
		expect(detectImageType({ bytes: data })).toBe(type);
	});
});

describe('checkImageUpload', () => {
	const png = fixtureBytes('images/invert-png.png');

	it('accepts a real image and keeps its name', () => {
		expect(checkImageUpload({ name: 'cat.png', bytes: png, maxUploadSize: 104857600 })).toEqual({
			ok: true,
			type: 'png',
			mime: 'image/png',
			fileName: 'cat.png'
		});
	});

	it('refuses a text file named .png (the server would accept it and LoadImage fail later)', () => {
		const result = checkImageUpload({
			name: 'notes.png',
			bytes: new TextEncoder().encode('this is not an image')
		});
		expect(result).toMatchObject({ ok: false, code: 'not-image' });
		expect(!result.ok && result.message).toContain('"notes.png" is not an image');
	});

	it('refuses a file above max_upload_size before sending it', () => {
		const result = checkImageUpload({
			name: 'big.png',
			bytes: png.subarray(0, 16),
			size: 150 * 1024 * 1024,
			maxUploadSize: 104857600
		});
		expect(!result.ok && result.message).toBe(
			'"big.png" is 150 MB; this server accepts uploads up to 100 MB. Use a smaller image, or start ComfyUI with a larger --max-upload-size.'
		);
	});

	it('refuses an empty file', () => {
		expect(checkImageUpload({ name: 'x.png', bytes: new Uint8Array(0) })).toMatchObject({
			ok: false,
			code: 'empty'
		});
	});

	it('makes names safe and gives them the extension of their content', () => {
		const name = (n: string) => {
			const r = checkImageUpload({ name: n, bytes: png });
			return r.ok ? r.fileName : r.message;
		};
		expect(name('../../etc/x.png')).toBe('x.png');
		expect(name('C:\\Users\\me\\photo.PNG')).toBe('photo.PNG');
		expect(name('.hidden.png')).toBe('hidden.png');
		expect(name('shot.jpg')).toBe('shot.jpg.png');
		expect(name('clipboard')).toBe('clipboard.png');
		expect(name('')).toBe('image.png');
		expect(name('a<b>"c".png')).toBe('a_b__c_.png');
	});

	it('builds the LoadImage value of an upload answer', () => {
		expect(uploadedImageValue({ name: 'harness_upload.png', subfolder: 'harness' })).toBe(
			'harness/harness_upload.png'
		);
		expect(uploadedImageValue({ name: 'a.png', subfolder: '' })).toBe('a.png');
	});
});

describe('file values', () => {
	it('names saved results as m_media.json loads them back, and reads such names back', () => {
		const mp4 = { filename: 'harness_media_00001_.mp4', subfolder: 'video', type: 'output' };
		expect(annotatedFileValue(mp4)).toBe('video/harness_media_00001_.mp4 [output]');
		expect(serverFileOfValue('video/harness_media_00001_.mp4 [output]')).toEqual(mp4);
		const flac = { filename: 'ComfyUI_temp_crrsl_00001_.flac', subfolder: '', type: 'temp' };
		expect(annotatedFileValue(flac)).toBe('ComfyUI_temp_crrsl_00001_.flac [temp]');
		expect(serverFileOfValue(annotatedFileValue(flac))).toEqual(flac);
		// Input files are named as the server lists them, without an annotation.
		expect(annotatedFileValue({ filename: 'walk.mp4', subfolder: '', type: 'input' })).toBe('walk.mp4');
		expect(serverFileOfValue('clips/walk.mp4')).toEqual({
			filename: 'walk.mp4',
			subfolder: 'clips',
			type: 'input'
		});
	});
});
