import { describe, expect, it } from 'vitest';
import { canonicalJson, promptHash, sha256Hex } from './canonical-hash';

const prompt = {
	'1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 1, color: 0 } },
	'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'deck' } }
};

describe('canonicalJson', () => {
	it('sorts keys at every depth and keeps array order', () => {
		expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
	});
});

describe('promptHash', () => {
	it('is the same whatever the key order', async () => {
		const reordered = {
			'2': { inputs: { filename_prefix: 'deck', images: ['1', 0] }, class_type: 'SaveImage' },
			'1': { inputs: { color: 0, batch_size: 1, height: 48, width: 64 }, class_type: 'EmptyImage' }
		};
		expect(await promptHash(reordered)).toBe(await promptHash(prompt));
	});

	it('changes with any input value, such as a new seed', async () => {
		const other = { ...prompt, '1': { ...prompt['1'], inputs: { ...prompt['1'].inputs, color: 1 } } };
		expect(await promptHash(other)).not.toBe(await promptHash(prompt));
	});

	it('ignores node titles (_meta), which do not change the result', async () => {
		const titled = { ...prompt, '1': { ...prompt['1'], _meta: { title: 'Canvas' } } };
		expect(await promptHash(titled)).toBe(await promptHash(prompt));
	});
});

describe('sha256Hex', () => {
	it('matches the known digest of "abc"', async () => {
		expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});
});
