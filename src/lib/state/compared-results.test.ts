import { describe, expect, it } from 'vitest';
import { comparedResults } from './compared-results';

type Result = { hash?: string; filename: string; kind?: string };
const run = (...images: Result[]) => ({ app: { images } });
const png = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.png` });
const mp4 = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.mp4`, kind: 'video' });
const flac = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.flac`, kind: 'audio' });

describe('the results two runs are compared by', () => {
	it('are their first pictures when both kept one, whatever came before them', () => {
		expect(comparedResults(run(flac('a'), png('a1'), png('a2')), run(flac('b'), png('b1')))).toEqual([
			{ kind: 'IMAGE', mine: png('a1'), other: png('b1') }
		]);
	});

	it('are their first videos when they share no picture', () => {
		expect(comparedResults(run(flac('a'), mp4('a1')), run(mp4('b1'), mp4('b2')))).toEqual([
			{ kind: 'VIDEO', mine: mp4('a1'), other: mp4('b1') }
		]);
		// A picture on one side only: the videos still line up.
		expect(comparedResults(run(png('a0'), mp4('a1')), run(mp4('b1')))).toEqual([
			{ kind: 'VIDEO', mine: mp4('a1'), other: mp4('b1') }
		]);
	});

	it('are both, the videos first, when both runs kept a picture and a video', () => {
		expect(comparedResults(run(png('a0'), mp4('a1')), run(mp4('b1'), png('b0')))).toEqual([
			{ kind: 'VIDEO', mine: mp4('a1'), other: mp4('b1') },
			{ kind: 'IMAGE', mine: png('a0'), other: png('b0') }
		]);
	});

	it('are none when they share neither, or a result is not kept', () => {
		expect(comparedResults(run(png('a')), run(mp4('b')))).toEqual([]);
		expect(comparedResults(run(flac('a')), run(flac('b')))).toEqual([]);
		expect(comparedResults(run({ filename: 'a.png' }), run(png('b')))).toEqual([]);
		expect(comparedResults({ app: {} }, run(png('b')))).toEqual([]);
	});
});
