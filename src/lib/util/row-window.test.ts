import { describe, expect, it } from 'vitest';
import { rowWindow } from './row-window';

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
});
