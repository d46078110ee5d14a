import { describe, expect, it } from 'vitest';
import { makeThumbnail } from './thumbnail';

async function pngOf(width: number, height: number): Promise<Blob> {
	const canvas = new OffscreenCanvas(width, height);
	const context = canvas.getContext('2d');
	if (!context) throw new Error('no 2d context');
	context.fillStyle = '#3366cc';
	context.fillRect(0, 0, width, height);
	return canvas.convertToBlob({ type: 'image/png' });
}

describe('makeThumbnail', () => {
	it('shrinks a large image to 256 px on its longer side, as WebP, and reports the original size', async () => {
		const result = await makeThumbnail(await pngOf(1024, 512));
		expect(result).not.toBeNull();
		expect(result?.width).toBe(1024);
		expect(result?.height).toBe(512);
		expect(result?.thumbnail.type).toBe('image/webp');
		const bitmap = await createImageBitmap(result!.thumbnail);
		expect([bitmap.width, bitmap.height]).toEqual([256, 128]);
	});

	it('never upscales a small image', async () => {
		const result = await makeThumbnail(await pngOf(64, 48));
		const bitmap = await createImageBitmap(result!.thumbnail);
		expect([bitmap.width, bitmap.height]).toEqual([64, 48]);
	});

	it('returns null for bytes that are not an image', async () => {
		expect(await makeThumbnail(new Blob(['not an image'], { type: 'image/png' }))).toBeNull();
	});
});
