import { describe, expect, it } from 'vitest';
import { readComfyMetadata, sniffImageFormat } from './image-metadata';
import { fixtureBytes, fixtureJson } from './testing/fixtures';
import { pngWithText } from './testing/png';

describe('readComfyMetadata on images a real ComfyUI saved', () => {
	it.each([
		['invert-png.png', 'invert-png.expected.json', 'png'],
		['slow-seed-webp.webp', 'slow-seed-webp.expected.json', 'webp']
	])('%s carries the prompt and workflow that were sent', async (image, expectedFile, format) => {
		const expected = fixtureJson(`images/${expectedFile}`) as { prompt: unknown; workflow: unknown };
		const result = await readComfyMetadata({ bytes: fixtureBytes(`images/${image}`) });
		expect(result).toMatchObject({ ok: true, format, issues: [] });
		expect(result.ok && result.prompt).toEqual(expected.prompt);
		expect(result.ok && result.workflow).toEqual(expected.workflow);
	});

	it('accepts an ArrayBuffer too', async () => {
		const bytes = fixtureBytes('images/invert-png.png');
		const result = await readComfyMetadata({ bytes: bytes.slice().buffer });
		expect(result.ok && Object.keys(result.prompt ?? {})).toEqual(['1', '2', '3']);
	});
});

describe('readComfyMetadata on other images', () => {
	it('finds nothing in a PNG without text chunks', async () => {
		const result = await readComfyMetadata({ bytes: pngWithText({}) });
		expect(result).toEqual({ ok: true, format: 'png', issues: [] });
	});

	it('reports unreadable embedded JSON instead of throwing', async () => {
		const result = await readComfyMetadata({ bytes: pngWithText({ prompt: '{"1": {', workflow: '[1,2]' }) });
		expect(result.ok && result.issues.map((i) => i.code)).toEqual([
			'metadata-prompt-json',
			'metadata-workflow-shape'
		]);
		expect(result.ok && result.prompt).toBeUndefined();
	});

	it('reads the NaN Python writes as null', async () => {
		const prompt = '{"1": {"class_type": "X", "inputs": {"v": NaN, "s": "NaN stays"}}}';
		const result = await readComfyMetadata({ bytes: pngWithText({ prompt }) });
		expect(result.ok && result.prompt).toEqual({
			'1': { class_type: 'X', inputs: { v: null, s: 'NaN stays' } }
		});
	});

	it('refuses a JPEG and random bytes', async () => {
		const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
		expect(await readComfyMetadata({ bytes: jpeg })).toMatchObject({
			ok: false,
			error: { code: 'image-format' }
		});
		expect(await readComfyMetadata({ bytes: new Uint8Array(0) })).toMatchObject({ ok: false });
	});

	it('reports a truncated file as damaged or without metadata, never throws', async () => {
		const bytes = fixtureBytes('images/slow-seed-webp.webp').slice(0, 40);
		const result = await readComfyMetadata({ bytes });
		expect(result.ok ? result.prompt : result.error.code).toBeOneOf([undefined, 'image-damaged']);
	});
});

describe('sniffImageFormat', () => {
	it('tells PNG and WebP apart by magic bytes', () => {
		expect(sniffImageFormat({ bytes: fixtureBytes('images/invert-png.png') })).toBe('png');
		expect(sniffImageFormat({ bytes: fixtureBytes('images/slow-seed-webp.webp') })).toBe('webp');
		expect(sniffImageFormat({ bytes: new TextEncoder().encode('RIFF....WAVE') })).toBeUndefined();
	});
});
