import { describe, expect, it } from 'vitest';
import { kindBadges } from './kind-badges';

describe('the kind badges over a thumbnail', () => {
	it('names each kind, then the length', () => {
		expect(kindBadges({ kinds: ['video', 'audio', 'text'], seconds: 2.5 })).toEqual([
			'Video',
			'Audio',
			'Text',
			'2.5 s'
		]);
		expect(kindBadges({ kinds: ['other'] })).toEqual(['File']);
	});

	it('says nothing for a run of still pictures, even with a length', () => {
		expect(kindBadges({ seconds: 3 })).toEqual([]);
		expect(kindBadges({ kinds: [] })).toEqual([]);
	});
});
