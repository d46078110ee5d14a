import { describe, expect, it } from 'vitest';
import { FIT, MAX_SCALE, panBy, wheelFactor, zoomAt } from './zoom';

describe('zoomAt', () => {
	it('keeps the point under the pointer in place', () => {
		const view = zoomAt({ view: FIT, factor: 2, at: { x: 100, y: -50 } });
		expect(view.scale).toBe(2);
		// The picture point under (100, -50) was (100, -50) at scale 1; it is at 2 * p + offset now.
		expect(2 * 100 + view.x).toBe(100);
		expect(2 * -50 + view.y).toBe(-50);
		const again = zoomAt({ view, factor: 1.5, at: { x: 100, y: -50 } });
		expect(3 * 100 + again.x).toBeCloseTo(100);
	});

	it('zooms about the centre when no point is given', () => {
		expect(zoomAt({ view: FIT, factor: 2 })).toEqual({ scale: 2, x: 0, y: 0 });
	});

	it('never goes below fitted, and comes back centred there', () => {
		const zoomed = zoomAt({ view: FIT, factor: 4, at: { x: 200, y: 200 } });
		expect(zoomAt({ view: zoomed, factor: 0.1, at: { x: -30, y: 10 } })).toEqual(FIT);
	});

	it('stops at the largest scale', () => {
		expect(zoomAt({ view: { scale: 12, x: 0, y: 0 }, factor: 4 }).scale).toBe(MAX_SCALE);
	});
});

describe('panBy', () => {
	const size = { width: 400, height: 300 };
	const stage = { width: 800, height: 600 };

	it('does not move a fitted picture', () => {
		expect(panBy({ view: FIT, dx: 50, dy: 50, size, stage })).toEqual(FIT);
	});

	it('moves a zoomed picture, at most until its edge reaches the stage', () => {
		const view = { scale: 4, x: 0, y: 0 };
		expect(panBy({ view, dx: 30, dy: -20, size, stage })).toEqual({ scale: 4, x: 30, y: -20 });
		// 1600 px wide on an 800 px stage: 400 px either way; 1200 high on 600: 300.
		expect(panBy({ view, dx: 5000, dy: -5000, size, stage })).toEqual({ scale: 4, x: 400, y: -300 });
	});

	it('keeps a zoomed picture still smaller than the stage centred on that axis', () => {
		const view = { scale: 2, x: 0, y: 0 };
		expect(panBy({ view, dx: 100, dy: 100, size: { width: 300, height: 400 }, stage })).toEqual({
			scale: 2,
			x: 0,
			y: 100
		});
	});
});

describe('wheelFactor', () => {
	it('zooms in when the wheel turns up and out when it turns down, by the same step', () => {
		expect(wheelFactor(-100)).toBeGreaterThan(1);
		expect(wheelFactor(100)).toBeLessThan(1);
		expect(wheelFactor(-100) * wheelFactor(100)).toBeCloseTo(1);
		// A huge delta (page-wise scrolling) is one notch, not a jump to the limit.
		expect(wheelFactor(-5000)).toBe(wheelFactor(-100));
	});
});
