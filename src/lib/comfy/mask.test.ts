import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { httpExchanges, loadTranscript } from '../../../tests/core/transcripts';
import type { RunningSimulator } from '../../../tests/simulator/index';
import { quietSimulator } from '../../../tests/simulator/test-helpers';
import { createComfyApi } from './api';
import {
	createMask,
	encodeMaskPng,
	invertMask,
	paintStroke,
	maskFilename,
	maskFromRgba,
	maskToRgba,
	maskValuesAsServerReads
} from './mask';

let sim: RunningSimulator | undefined;
afterEach(async () => {
	await sim?.close();
	sim = undefined;
});

/** A 16×12 mask (n_mask_upload's size) with the left half of the top rows painted. */
function paintedMask() {
	const mask = createMask({ width: 16, height: 12 });
	for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) mask.coverage[y * 16 + x] = 255;
	mask.coverage[5 * 16 + 5] = 128; // a soft brush edge
	return mask;
}

async function decode(blob: Blob): Promise<PNG> {
	return PNG.sync.read(Buffer.from(await blob.arrayBuffer()));
}

describe('mask encoding', () => {
	it('makes the painted area transparent and the rest opaque, as ComfyUI’s editor does', async () => {
		const png = await decode(await encodeMaskPng(paintedMask()));
		expect([png.width, png.height]).toEqual([16, 12]);
		const alpha = (x: number, y: number) => png.data[(y * 16 + x) * 4 + 3];
		expect(alpha(0, 0)).toBe(0);
		expect(alpha(7, 3)).toBe(0);
		expect(alpha(8, 0)).toBe(255);
		expect(alpha(0, 4)).toBe(255);
		expect(alpha(5, 5)).toBe(127);
	});

	it('gives LoadImage a MASK of 1 where painted and 0 elsewhere', () => {
		const values = maskValuesAsServerReads(paintedMask());
		expect(values[0]).toBe(1);
		expect(values[8]).toBe(0);
		expect(values[5 * 16 + 5]).toBeCloseTo(128 / 255, 5);
	});

	it('reads an uploaded mask back into the same coverage', () => {
		const mask = paintedMask();
		expect(maskFromRgba({ rgba: maskToRgba(mask), width: 16, height: 12 }).coverage).toEqual(mask.coverage);
	});

	it('refuses a size that is not a picture', () => {
		expect(() => createMask({ width: 0, height: 12 })).toThrow(/positive whole size/);
		expect(() => createMask({ width: 1.5, height: 12 })).toThrow(RangeError);
	});

	it('names the mask after its picture', () => {
		expect(maskFilename('harness/harness_mask_base.png')).toBe('harness_mask_base-mask.png');
		expect(maskFilename('noext')).toBe('noext-mask.png');
	});

	it('is sent the way n_mask_upload recorded: /upload/mask with original_ref, merged into the picture', async () => {
		const recorded = httpExchanges(loadTranscript('n_mask_upload')).find(
			(e) => e.request.path === '/upload/mask' && e.response.status === 200
		);
		const fields = (recorded?.request.body as { multipart_fields?: Record<string, string> }).multipart_fields;
		expect(Object.keys(fields ?? {}).sort()).toEqual(['original_ref', 'subfolder', 'type']);

		sim = await quietSimulator();
		const api = createComfyApi({ baseUrl: `${sim.url}/` });
		const base = new PNG({ width: 16, height: 12 });
		for (let p = 0; p < 16 * 12; p++) base.data.set([0x33, 0x66, 0xcc, 255], p * 4);
		const picture = await api.uploadImage({
			file: new Blob([new Uint8Array(PNG.sync.write(base))], { type: 'image/png' }),
			filename: 'base.png',
			subfolder: 'deck',
			type: 'input'
		});
		const answer = await api.uploadMask({
			file: await encodeMaskPng(paintedMask()),
			filename: maskFilename(picture.name),
			subfolder: 'deck',
			type: 'input',
			originalRef: { filename: picture.name, subfolder: picture.subfolder, type: picture.type }
		});
		expect(answer).toEqual({ name: 'base-mask.png', subfolder: 'deck', type: 'input' });
		const merged = await decode(await api.view({ filename: answer.name, subfolder: 'deck', type: 'input' }));
		const at = (x: number, y: number) => [...merged.data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4)];
		// The picture's colours stay; only its alpha is the mask.
		expect(at(0, 0)).toEqual([0x33, 0x66, 0xcc, 0]);
		expect(at(15, 11)).toEqual([0x33, 0x66, 0xcc, 255]);
	});
});

describe('painting', () => {
	it('paints a continuous round stroke, erases part of it, and inverts', () => {
		const mask = createMask({ width: 40, height: 20 });
		paintStroke(mask, { from: { x: 5, y: 10 }, to: { x: 35, y: 10 }, radius: 3 });
		const at = (x: number, y: number) => mask.coverage[y * 40 + x];
		for (let x = 5; x <= 34; x++) expect(at(x, 10), `x=${x}`).toBe(255);
		expect(at(20, 12)).toBe(255);
		expect(at(20, 14)).toBe(0);
		expect(at(0, 0)).toBe(0);
		paintStroke(mask, { from: { x: 20, y: 10 }, to: { x: 20, y: 10 }, radius: 2, erase: true });
		expect(at(20, 10)).toBe(0);
		expect(at(25, 10)).toBe(255);
		invertMask(mask);
		expect(at(20, 10)).toBe(255);
		expect(at(25, 10)).toBe(0);
	});

	it('stays inside the picture when the brush leaves it', () => {
		const mask = createMask({ width: 8, height: 8 });
		paintStroke(mask, { from: { x: -10, y: -10 }, to: { x: 20, y: 20 }, radius: 2 });
		expect(mask.coverage.length).toBe(64);
		expect(mask.coverage[0]).toBe(255);
		expect(mask.coverage[63]).toBe(255);
	});
});
