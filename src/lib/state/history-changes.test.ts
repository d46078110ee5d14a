import { describe, expect, it } from 'vitest';
import { HistoryChanges } from './history-changes';

describe('HistoryChanges', () => {
	it('names every job changed after a version, each once', () => {
		const changes = new HistoryChanges();
		changes.add(1, ['a']);
		changes.add(2, ['b', 'a']);
		changes.add(3, ['c']);
		expect(changes.since(1, 3)).toEqual(['b', 'a', 'c']);
		expect(changes.since(0, 3)).toEqual(['a', 'b', 'c']);
		expect(changes.since(3, 3)).toEqual([]);
	});

	it('says "not known" when a change in the range came without ids', () => {
		const changes = new HistoryChanges();
		changes.add(1, ['a']);
		changes.add(2, null);
		changes.add(3, ['c']);
		expect(changes.since(0, 3)).toBeNull();
		expect(changes.since(1, 3)).toBeNull();
		expect(changes.since(2, 3)).toEqual(['c']);
	});

	it('says "not known" for a version older than it remembers', () => {
		const changes = new HistoryChanges();
		for (let v = 1; v <= 250; v++) changes.add(v, [`j${v}`]);
		expect(changes.since(10, 250)).toBeNull();
		expect(changes.since(249, 250)).toEqual(['j250']);
		expect(new HistoryChanges().since(0, 2)).toBeNull();
	});
});
