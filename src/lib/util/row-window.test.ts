import { describe, expect, it } from 'vitest';
import { rowWindow, slotWindow, windowSlots } from './row-window';

describe('rowWindow', () => {
	const base = { count: 100, rowHeight: 100, viewport: 800, overscan: 200 };

	it('mounts the rows on screen and those within the overscan below at the top of the page', () => {
		// The list starts 300 px down: rows 0-4 are on screen, 5-6 within the 200 px below.
		expect(rowWindow({ ...base, top: 300 })).toEqual([0, 6]);
	});

	it('follows the scroll: rows above the overscan are let go', () => {
		// Scrolled 1,050 px into the list: row 10 is at the top edge, 8-9 in the overscan above, 17-20 below.
		expect(rowWindow({ ...base, top: -1050 })).toEqual([8, 20]);
	});

	it('stops at the last row', () => {
		expect(rowWindow({ ...base, top: -9500 })).toEqual([93, 99]);
	});

	it('mounts nothing when the list is far below or above the viewport, or empty', () => {
		expect(rowWindow({ ...base, top: 1500 })).toEqual([0, -1]);
		expect(rowWindow({ ...base, top: -20000 })).toEqual([0, -1]);
		expect(rowWindow({ ...base, count: 0, top: 0 })).toEqual([0, -1]);
	});

	it('never mounts more rows than the window has slots, wherever the list is scrolled', () => {
		for (const geometry of [base, { ...base, rowHeight: 244 }, { ...base, viewport: 740, rowHeight: 37 }]) {
			const slots = windowSlots(geometry);
			let most = 0;
			for (let top = 1000; top > -geometry.count * geometry.rowHeight; top -= 7) {
				const [first, last] = rowWindow({ ...geometry, top });
				most = Math.max(most, last - first + 1);
			}
			expect(most).toBeLessThanOrEqual(slots);
			// …and it takes all of them at some scroll: no slot is wasted.
			expect(most).toBe(slots);
		}
	});

	it('fills every slot, so that a scroll only ever hands rows from box to box', () => {
		// 800 px and 200 px each side: 12 rows at most, and as many always, at the top, in the middle and at the end.
		expect(windowSlots(base)).toBe(13);
		expect(slotWindow({ ...base, top: 300 })).toEqual([0, 12]);
		expect(slotWindow({ ...base, top: -1050 })).toEqual([8, 20]);
		expect(slotWindow({ ...base, top: -1000 })).toEqual([8, 20]);
		expect(slotWindow({ ...base, top: -9500 })).toEqual([87, 99]);
		// Always covering what must show.
		for (let top = 500; top > -10_000; top -= 13) {
			const [first, last] = rowWindow({ ...base, top });
			const [from, to] = slotWindow({ ...base, top });
			expect(from <= first && to >= last && to - from + 1 === 13).toBe(true);
		}
		expect(slotWindow({ ...base, top: 1500 })).toEqual([0, -1]);
		expect(slotWindow({ ...base, count: 5, top: 0 })).toEqual([0, 4]);
	});
});
