import { describe, expect, it } from 'vitest';
import type { JobImage } from '$lib/comfy';
import type { FreshResult } from './fresh-results.svelte';
import { FreshShown } from './shown-image';

const file = (filename: string, subfolder = ''): JobImage => ({ filename, subfolder, type: 'output' });
const fresh = (output: JobImage, bytes = output.filename): FreshResult => ({
	output,
	blob: new Blob([bytes], { type: 'image/png' }),
	kind: 'image',
	mime: 'image/png'
});

describe('FreshShown', () => {
	it('shows fresh bytes at once, unhashed, with an object URL each, saved outputs named as inputs name them', () => {
		const shown = new FreshShown();
		const urls: string[] = [];
		const [a] = shown.show({ fresh: [fresh(file('a.png', 'sub'))], serverId: 's1', urls });
		expect(a?.url).toMatch(/^blob:/);
		expect(urls).toEqual([a?.url]);
		expect(a?.hash).toBeUndefined();
		expect(a).toMatchObject({ filename: 'a.png', mime: 'image/png', kind: 'image' });
		expect(a?.saved).toEqual({ serverId: 's1', value: 'sub/a.png [output]' });
	});

	it('keeps each file’s URL as more files come, and finds it by file for the kept copy', () => {
		const shown = new FreshShown();
		const urls: string[] = [];
		const a = fresh(file('a.png'));
		const [first] = shown.show({ fresh: [a], serverId: 's1', urls });
		const both = shown.show({ fresh: [a, fresh(file('b.png'))], serverId: 's1', urls });
		expect(both[0]).toBe(first);
		expect(both.map((i) => i.filename)).toEqual(['a.png', 'b.png']);
		expect(urls).toHaveLength(2);

		expect(shown.of({ filename: 'b.png', subfolder: '', type: 'output' })).toBe(both[1]);
		// Same name, another folder: another file.
		expect(shown.of({ filename: 'b.png', subfolder: 'x', type: 'output' })).toBeUndefined();
		shown.clear();
		expect(shown.of({ filename: 'a.png', subfolder: '', type: 'output' })).toBeUndefined();
	});
});
