import { describe, expect, it } from 'vitest';
import { fileDateTime, fileSlug, resultFileName, withSuffix } from './result-file-name';

const date = new Date(2026, 11, 7, 14, 5, 9);
const promptId = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff';

describe('resultFileName', () => {
	it('names the template, the time, the prompt and the place in the run, with the original extension', () => {
		expect(
			resultFileName({
				templateName: 'SD 1.5 txt2img',
				date,
				promptId,
				index: 0,
				filename: 'ComfyUI_00012_.png'
			})
		).toBe('sd-1.5-txt2img_2026-12-07_14-05-09_a1b2c3d4_01.png');
		expect(
			resultFileName({
				templateName: 'Wan video',
				date,
				promptId,
				index: 11,
				filename: 'video/clip_00001.MP4'
			})
		).toBe('wan-video_2026-12-07_14-05-09_a1b2c3d4_12.mp4');
	});

	it('takes the extension from the content type when the name has none, and .bin when neither says', () => {
		expect(resultFileName({ templateName: 'Caption', date, promptId, index: 0, mime: 'text/plain' })).toMatch(
			/_01\.txt$/
		);
		expect(
			resultFileName({
				templateName: 'Tts',
				date,
				promptId,
				index: 1,
				filename: 'speech',
				mime: 'audio/flac'
			})
		).toMatch(/_02\.flac$/);
		expect(resultFileName({ date, promptId, index: 0, filename: 'mesh' })).toBe(
			'result_2026-12-07_14-05-09_a1b2c3d4_01.bin'
		);
	});

	it('never lets a hostile name or id reach a folder or a reserved character', () => {
		const name = resultFileName({
			templateName: '../../etc/passwd <script>',
			date,
			promptId: '../x',
			index: 0,
			filename: 'a.p/ng'
		});
		expect(name).toBe('etc-passwd-script_2026-12-07_14-05-09_x_01.bin');
		expect(name).not.toMatch(/[\\/:*?"<>|]/);
	});
});

describe('fileSlug', () => {
	it('keeps letters of any script and digits, joins words by dashes', () => {
		expect(fileSlug('Flux — Portrait #2')).toBe('flux-portrait-2');
		expect(fileSlug('Ölgemälde 風景')).toBe('ölgemälde-風景');
	});

	it('falls back to "result" for a name with nothing usable, and stays short', () => {
		expect(fileSlug('...///')).toBe('result');
		expect(fileSlug('x'.repeat(200))).toHaveLength(60);
	});
});

describe('fileDateTime', () => {
	it('pads every part so names sort by time', () => {
		expect(fileDateTime(new Date(2027, 0, 2, 3, 4, 5))).toBe('2027-01-02_03-04-05');
	});
});

describe('withSuffix', () => {
	it('puts the number before the extension, and leaves the first name alone', () => {
		expect(withSuffix('a_01.png', 1)).toBe('a_01.png');
		expect(withSuffix('a_01.png', 2)).toBe('a_01 (2).png');
		expect(withSuffix('readme', 3)).toBe('readme (3)');
	});
});
