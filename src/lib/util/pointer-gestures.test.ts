import { describe, expect, it } from 'vitest';
import { fitInside, fromCentre, PointerGestures } from './pointer-gestures';

describe('fitInside', () => {
	it('fits a wide picture to the stage width and a tall one to its height', () => {
		const stage = { width: 800, height: 600 };
		expect(fitInside({ size: { width: 1600, height: 400 }, stage })).toEqual({ width: 800, height: 200 });
		expect(fitInside({ size: { width: 300, height: 1200 }, stage })).toEqual({ width: 150, height: 600 });
	});

	it('enlarges a small picture to fill the stage', () => {
		expect(fitInside({ size: { width: 64, height: 64 }, stage: { width: 800, height: 600 } })).toEqual({
			width: 600,
			height: 600
		});
	});

	it('knows nothing while a size is missing or empty', () => {
		expect(fitInside({ size: undefined, stage: { width: 800, height: 600 } })).toBeUndefined();
		expect(
			fitInside({ size: { width: 512, height: 512 }, stage: { width: 0, height: 600 } })
		).toBeUndefined();
		expect(
			fitInside({ size: { width: 0, height: 512 }, stage: { width: 800, height: 600 } })
		).toBeUndefined();
	});
});

describe('fromCentre', () => {
	it('measures a client point from the middle of the box', () => {
		const box = { left: 100, top: 50, width: 400, height: 200 };
		expect(fromCentre({ point: { x: 300, y: 150 }, box })).toEqual({ x: 0, y: 0 });
		expect(fromCentre({ point: { x: 100, y: 50 }, box })).toEqual({ x: -200, y: -100 });
	});
});

describe('PointerGestures', () => {
	it('turns one pointer into a drag by how far it moved since the last move', () => {
		const gestures = new PointerGestures();
		gestures.down(1, { x: 10, y: 10 });
		expect(gestures.move(1, { x: 25, y: 5 })).toEqual({ kind: 'pan', dx: 15, dy: -5 });
		expect(gestures.move(1, { x: 30, y: 5 })).toEqual({ kind: 'pan', dx: 5, dy: 0 });
	});

	it('ignores a pointer that was never pressed on the picture, and one lifted', () => {
		const gestures = new PointerGestures();
		expect(gestures.move(7, { x: 1, y: 1 })).toBeUndefined();
		gestures.down(7, { x: 0, y: 0 });
		gestures.up(7);
		expect(gestures.move(7, { x: 5, y: 5 })).toBeUndefined();
		expect(gestures.count).toBe(0);
	});

	it('turns two pointers into a pinch about their midpoint', () => {
		const gestures = new PointerGestures();
		gestures.down(1, { x: 100, y: 100 });
		gestures.down(2, { x: 200, y: 100 });
		// The second finger moves out: 100 px apart becomes 200 px apart, the picture doubles.
		expect(gestures.move(2, { x: 300, y: 100 })).toEqual({
			kind: 'pinch',
			factor: 2,
			at: { x: 200, y: 100 }
		});
		// And back in by half.
		const back = gestures.move(1, { x: 200, y: 100 });
		expect(back).toEqual({ kind: 'pinch', factor: 0.5, at: { x: 250, y: 100 } });
	});

	it('goes back to dragging when one of two fingers lifts', () => {
		const gestures = new PointerGestures();
		gestures.down(1, { x: 0, y: 0 });
		gestures.down(2, { x: 50, y: 0 });
		gestures.up(2);
		expect(gestures.move(1, { x: 4, y: 3 })).toEqual({ kind: 'pan', dx: 4, dy: 3 });
	});

	it('does not divide by zero when two fingers start on the same spot', () => {
		const gestures = new PointerGestures();
		gestures.down(1, { x: 10, y: 10 });
		gestures.down(2, { x: 10, y: 10 });
		const pinch = gestures.move(2, { x: 13, y: 14 });
		expect(pinch).toMatchObject({ kind: 'pinch', factor: 5 });
	});
});
