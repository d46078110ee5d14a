/** A small preview of an image for galleries, and the original's size. */
export interface Thumbnail {
	blob: Blob;
	width: number;
	height: number;
}

/**
 * Makes a thumbnail (WebP, at most `maxSize` px on its longer side, never upscaled) in the browser, off the DOM.
 * Returns null when the bytes are not an image the browser can decode.
 */
export async function makeThumbnail(
	image: Blob,
	options: { maxSize?: number; quality?: number } = {}
): Promise<(Thumbnail & { thumbnail: Blob }) | null> {
	const maxSize = options.maxSize ?? 256;
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(image);
	} catch {
		return null;
	}
	try {
		const scale = Math.min(1, maxSize / Math.max(bitmap.width, bitmap.height));
		const width = Math.max(1, Math.round(bitmap.width * scale));
		const height = Math.max(1, Math.round(bitmap.height * scale));
		const canvas = new OffscreenCanvas(width, height);
		const context = canvas.getContext('2d');
		if (!context) return null;
		context.imageSmoothingQuality = 'high';
		context.drawImage(bitmap, 0, 0, width, height);
		const thumbnail = await canvas.convertToBlob({ type: 'image/webp', quality: options.quality ?? 0.8 });
		return { blob: image, thumbnail, width: bitmap.width, height: bitmap.height };
	} finally {
		bitmap.close();
	}
}
