import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { safeFileName, uniqueNames, zipFiles } from './zip';

describe('zipFiles', () => {
	it('keeps every file byte for byte under a unique, safe name', () => {
		const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
		const other = new Uint8Array([137, 80, 78, 71, 9, 9]);
		const zip = zipFiles([
			{ name: 'ComfyUI_00001_.png', bytes: png },
			{ name: 'comfyui_00001_.png', bytes: other },
			{ name: '../../etc/passwd', bytes: other },
			{ name: 'sub\\dir\\x:y.png', bytes: png }
		]);
		const files = unzipSync(zip);
		expect(Object.keys(files)).toEqual(['ComfyUI_00001_.png', 'comfyui_00001_ (2).png', 'passwd', 'x_y.png']);
		expect(files['ComfyUI_00001_.png']).toEqual(png);
		expect(files['comfyui_00001_ (2).png']).toEqual(other);
	});
});

describe('file names', () => {
	it('numbers repeats before the extension', () => {
		expect(uniqueNames(['a.png', 'a.png', 'a.png', 'b'])).toEqual(['a.png', 'a (2).png', 'a (3).png', 'b']);
	});

	it('never yields an empty, hidden or control-character name', () => {
		expect(safeFileName('')).toBe('file');
		expect(safeFileName('..')).toBe('file');
		expect(safeFileName('.hidden.png')).toBe('hidden.png');
		expect(safeFileName('a\u0000b\nc.png')).toBe('a_b_c.png');
	});
});
