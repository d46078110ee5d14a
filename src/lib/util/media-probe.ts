import { makeThumbnail } from './thumbnail';
import { audioPeaks, waveformThumbnail } from './waveform';

/** What the browser learned by opening a result: a thumbnail (a frame for video), size, duration, or that it cannot. */
export interface MediaProbe {
	thumbnail?: Blob;
	width?: number;
	height?: number;
	/** Seconds, for video and audio. */
	duration?: number;
	/** The browser could not decode it (a codec it lacks, a truncated file). */
	unplayable?: boolean;
	/** A sound's waveform (`audioPeaks`); its thumbnail is that waveform drawn. */
	peaks?: number[];
}

/**
 * Opens a result the way it will be shown: images through `createImageBitmap`, videos in a detached `<video>`
 * (the first frame becomes the thumbnail, so History never decodes a video to draw a card), audio in an
 * `<audio>` for its duration, then through Web Audio for its waveform (kept as peaks and drawn as its thumbnail;
 * left out when Web Audio cannot decode what the player can). Other kinds are not opened. Never throws: a file the browser cannot decode is
 * reported as `unplayable`, and a probe that hangs gives up after `timeoutMs`.
 */
export async function probeMedia(options: {
	blob: Blob;
	kind: string;
	maxSize?: number;
	timeoutMs?: number;
}): Promise<MediaProbe> {
	const { blob, kind } = options;
	if (kind === 'image' || kind === 'animated') {
		const thumb = await makeThumbnail(blob, { maxSize: options.maxSize });
		return thumb
			? { thumbnail: thumb.thumbnail, width: thumb.width, height: thumb.height }
			: { unplayable: true };
	}
	if (kind !== 'video' && kind !== 'audio') return {};
	if (typeof document === 'undefined') return {};
	const element = document.createElement(kind);
	const url = URL.createObjectURL(blob);
	try {
		element.muted = true;
		element.preload = 'auto';
		if (element instanceof HTMLVideoElement) element.playsInline = true;
		const ready = once(
			element,
			kind === 'video' ? 'loadeddata' : 'loadedmetadata',
			options.timeoutMs ?? 10_000
		);
		element.src = url;
		if (!(await ready)) return { unplayable: true };
		const duration = Number.isFinite(element.duration) ? element.duration : undefined;
		if (!(element instanceof HTMLVideoElement)) return { duration, ...(await waveformOf(blob)) };
		return { duration, ...(await frameOf(element, options.maxSize ?? 256)) };
	} finally {
		element.removeAttribute('src');
		element.load();
		URL.revokeObjectURL(url);
	}
}

async function waveformOf(blob: Blob): Promise<Pick<MediaProbe, 'peaks' | 'thumbnail'>> {
	const peaks = await audioPeaks(blob);
	if (!peaks) return {};
	const thumbnail = await waveformThumbnail(peaks).catch(() => undefined);
	return { peaks, ...(thumbnail ? { thumbnail } : {}) };
}

/** Resolves true on `event`, false on `error` or after `timeoutMs`. */
function once(element: HTMLMediaElement, event: string, timeoutMs: number): Promise<boolean> {
	return new Promise((resolve) => {
		const done = (ok: boolean) => {
			clearTimeout(timer);
			element.removeEventListener(event, onEvent);
			element.removeEventListener('error', onError);
			resolve(ok);
		};
		const onEvent = () => done(true);
		const onError = () => done(false);
		const timer = setTimeout(() => done(false), timeoutMs);
		element.addEventListener(event, onEvent);
		element.addEventListener('error', onError);
	});
}

async function frameOf(video: HTMLVideoElement, maxSize: number): Promise<MediaProbe> {
	const width = video.videoWidth;
	const height = video.videoHeight;
	if (!width || !height) return {};
	const scale = Math.min(1, maxSize / Math.max(width, height));
	const canvas = new OffscreenCanvas(
		Math.max(1, Math.round(width * scale)),
		Math.max(1, Math.round(height * scale))
	);
	const context = canvas.getContext('2d');
	if (!context) return { width, height };
	context.drawImage(video, 0, 0, canvas.width, canvas.height);
	const thumbnail = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
	return { thumbnail, width, height };
}
