import { describe, expect, it } from 'vitest';
import { probeMedia } from './media-probe';
import { audioPeaks, WAVEFORM_BARS } from './waveform';

/** A mono 16-bit WAV: `seconds` of a 440 Hz tone whose loudness rises from silence to `peak` at the end. */
function rampWav(seconds: number, peak: number, rate = 8_000): Blob {
	const samples = Math.round(seconds * rate);
	const view = new DataView(new ArrayBuffer(44 + samples * 2));
	const text = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
	text(0, 'RIFF');
	view.setUint32(4, 36 + samples * 2, true);
	text(8, 'WAVEfmt ');
	view.setUint32(16, 16, true);
	view.setUint16(20, 1, true);
	view.setUint16(22, 1, true);
	view.setUint32(24, rate, true);
	view.setUint32(28, rate * 2, true);
	view.setUint16(32, 2, true);
	view.setUint16(34, 16, true);
	text(36, 'data');
	view.setUint32(40, samples * 2, true);
	for (let i = 0; i < samples; i++) {
		const v = ((peak * i) / samples) * Math.sin((2 * Math.PI * 440 * i) / rate);
		view.setInt16(44 + i * 2, Math.round(v * 32767), true);
	}
	return new Blob([view.buffer], { type: 'audio/wav' });
}

describe('audio waveforms', () => {
	it('reads a sound’s peaks with Web Audio: quiet at the start, loud at the end', async () => {
		const peaks = await audioPeaks(rampWav(2, 0.8));
		expect(peaks).toHaveLength(WAVEFORM_BARS);
		expect(peaks![0]).toBeLessThan(0.05);
		expect(peaks!.at(-1)).toBeGreaterThan(0.7);
		expect(peaks!.at(-1)).toBeLessThanOrEqual(0.81);
		// It rises: every quarter louder than the one before.
		const quarter = (q: number) =>
			Math.max(...peaks!.slice((q * peaks!.length) / 4, ((q + 1) * peaks!.length) / 4));
		expect(quarter(1)).toBeGreaterThan(quarter(0));
		expect(quarter(3)).toBeGreaterThan(quarter(2));
	});

	it('gives nothing, and throws nothing, for bytes that are not a sound', async () => {
		expect(await audioPeaks(new Blob([new TextEncoder().encode('fLaC but not really')]))).toBeUndefined();
	});

	it('keeps a kept sound’s waveform and draws it as its thumbnail', async () => {
		const probe = await probeMedia({ blob: rampWav(1, 0.5), kind: 'audio' });
		expect(probe.duration).toBeCloseTo(1, 1);
		expect(probe.peaks).toHaveLength(WAVEFORM_BARS);
		expect(probe.thumbnail?.type).toBe('image/webp');
		const bitmap = await createImageBitmap(probe.thumbnail!);
		expect([bitmap.width, bitmap.height]).toEqual([256, 144]);
		// The loud end has bars, drawn in the middle band; the silent start only the 1 px line.
		const canvas = new OffscreenCanvas(256, 144);
		const context = canvas.getContext('2d')!;
		context.drawImage(bitmap, 0, 0);
		const alphaAt = (x: number, y: number) => context.getImageData(x, y, 1, 1).data[3]!;
		expect(alphaAt(252, 72)).toBeGreaterThan(0);
		expect(alphaAt(252, 50)).toBeGreaterThan(0);
		expect(alphaAt(3, 50)).toBe(0);
	});
});
