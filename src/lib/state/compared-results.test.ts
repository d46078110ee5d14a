import { describe, expect, it } from 'vitest';
import { comparedResults } from './compared-results';

type Result = { hash?: string; filename: string; kind?: string };
const run = (...images: Result[]) => ({ app: { images } });
const png = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.png` });
const mp4 = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.mp4`, kind: 'video' });
const flac = (name: string): Result => ({ hash: `h-${name}`, filename: `${name}.flac`, kind: 'audio' });

describe('the results two runs are compared by', () => {
	it('are their first pictures when both kept one, whatever came before them', () => {
		expect(comparedResults(run(flac('a'), png('a1'), png('a2')), run(mp4('b'), png('b1')))).toEqual([
			{ kind: 'IMAGE', mine: png('a1'), other: png('b1') }
		]);
	});

	it('are their first sounds when both kept one, before their pictures', () => {
		expect(comparedResults(run(flac('a1'), flac('a2')), run(png('b0'), flac('b1')))).toEqual([
			{ kind: 'AUDIO', mine: flac('a1'), other: flac('b1') }
		]);
		expect(comparedResults(run(png('a0'), flac('a1')), run(flac('b1'), png('b0')))).toEqual([
			{ kind: 'AUDIO', mine: flac('a1'), other: flac('b1') },
			{ kind: 'IMAGE', mine: png('a0'), other: png('b0') }
		]);
		// A sound by its name alone (kept before kinds) counts too.
		expect(comparedResults(run({ hash: 'h', filename: 'a.mp3' }), run(flac('b')))).toEqual([
			{ kind: 'AUDIO', mine: { hash: 'h', filename: 'a.mp3' }, other: flac('b') }
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
		expect(comparedResults(run(flac('a')), run(png('b')))).toEqual([]);
		expect(comparedResults(run({ filename: 'a.flac', kind: 'audio' }), run(flac('b')))).toEqual([]);
		expect(comparedResults(run({ filename: 'a.png' }), run(png('b')))).toEqual([]);
		expect(comparedResults({ app: {} }, run(png('b')))).toEqual([]);
	});
});
