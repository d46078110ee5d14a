/**
 * An audio file's waveform: its loudest sample in each of `bars` equal slices of time (0…1), read with Web Audio.
 * Decoded at a low sample rate (peaks need no more), in an OfflineAudioContext made only when a sound is read,
 * so pages without audio never start Web Audio. Undefined when the browser cannot decode the file (a codec it
 * lacks, a truncated download) or has no Web Audio: the caller then shows the player and length alone.
 */
export async function audioPeaks(
	audio: Blob | ArrayBuffer,
	options: { bars?: number } = {}
): Promise<number[] | undefined> {
	const bars = Math.max(1, Math.floor(options.bars ?? WAVEFORM_BARS));
	if (typeof OfflineAudioContext === 'undefined') return undefined;
	let buffer: AudioBuffer;
	try {
		const bytes = audio instanceof Blob ? await audio.arrayBuffer() : audio;
		// The length (1 frame) is unused: the context only decodes, resampled to its rate.
		buffer = await new OfflineAudioContext(1, 1, DECODE_RATE).decodeAudioData(bytes);
	} catch {
		return undefined;
	}
	return peaksOf(
		Array.from({ length: buffer.numberOfChannels }, (_, i) => buffer.getChannelData(i)),
		bars
	);
}

/** The bars a stored waveform has: enough for a card or a player's width, small enough to keep with every sound. */
export const WAVEFORM_BARS = 96;
// Hz. Peaks of 96 slices need nothing finer, and a three-minute song decodes to 1.4 M samples instead of 8 M.
const DECODE_RATE = 8_000;

/** The loudest absolute sample of every channel in each of `bars` slices, rounded to 1/100. */
export function peaksOf(channels: readonly Float32Array[], bars: number): number[] {
	const length = channels[0]?.length ?? 0;
	const peaks: number[] = [];
	for (let bar = 0; bar < bars; bar++) {
		const start = Math.floor((bar * length) / bars);
		const end = Math.max(start + 1, Math.floor(((bar + 1) * length) / bars));
		let peak = 0;
		for (const channel of channels) {
			for (let i = start; i < end && i < length; i++) {
				const v = Math.abs(channel[i] ?? 0);
				if (v > peak) peak = v;
			}
		}
		peaks.push(Math.round(Math.min(1, peak) * 100) / 100);
	}
	return peaks;
}

/** Grey that reads on light and dark cards alike: a stored thumbnail cannot follow the theme. */
const THUMBNAIL_COLOR = '#8a94a6';

/**
 * Draws peaks as bars mirrored about the middle, `color` on a transparent ground (silence is a 1 px line, so a
 * silent file still shows as one).
 */
export function drawPeaks(
	context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
	options: { peaks: readonly number[]; width: number; height: number; color: string }
): void {
	const { peaks, width, height, color } = options;
	context.clearRect(0, 0, width, height);
	if (!peaks.length) return;
	context.fillStyle = color;
	const step = width / peaks.length;
	const bar = Math.max(1, step * 0.7);
	for (const [i, peak] of peaks.entries()) {
		const h = Math.max(1, peak * height * 0.9);
		context.fillRect(i * step + (step - bar) / 2, (height - h) / 2, bar, h);
	}
}

/**
 * The waveform as a small transparent WebP, a sound's thumbnail: History cards, the dashboard and the run list
 * show it as they show a video's frame, without decoding the sound again.
 */
export async function waveformThumbnail(
	peaks: readonly number[],
	options: { width?: number; height?: number } = {}
): Promise<Blob | undefined> {
	if (typeof OffscreenCanvas === 'undefined') return undefined;
	const width = options.width ?? 256;
	const height = options.height ?? 144;
	const canvas = new OffscreenCanvas(width, height);
	const context = canvas.getContext('2d');
	if (!context) return undefined;
	// The bars in the middle band of a card-shaped picture: a card crops it to cover.
	drawPeaks(context, { peaks, width, height, color: THUMBNAIL_COLOR });
	return canvas.convertToBlob({ type: 'image/webp', quality: 0.9 });
}
