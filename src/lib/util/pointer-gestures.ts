/** A point in screen pixels. */
export interface Point {
	x: number;
	y: number;
}

/** A width and height in screen pixels. */
export interface Size {
	width: number;
	height: number;
}

/**
 * A picture of `size` scaled to fit the stage whole, keeping its proportions (small pictures are enlarged to fill
 * it: the viewer is the place to look closely). Undefined while either size is unknown or empty.
 */
export function fitInside(options: { size: Size | undefined; stage: Size }): Size | undefined {
	const { size, stage } = options;
	if (!size || !size.width || !size.height || !stage.width || !stage.height) return undefined;
	const k = Math.min(stage.width / size.width, stage.height / size.height);
	return { width: size.width * k, height: size.height * k };
}

/** A point in client coordinates, measured from the centre of `box` (where zoom offsets are measured from). */
export function fromCentre(options: {
	point: Point;
	box: { left: number; top: number; width: number; height: number };
}): Point {
	const { point, box } = options;
	return { x: point.x - box.left - box.width / 2, y: point.y - box.top - box.height / 2 };
}

/** What a pointer move means: one pointer drags, two pinch (`at` is their midpoint, in client coordinates). */
export type Gesture = { kind: 'pan'; dx: number; dy: number } | { kind: 'pinch'; factor: number; at: Point };

const distance = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

/**
 * The pointers pressed on a picture, turned into drags and pinches. Framework-free so the arithmetic is tested
 * without a browser; the component feeds it pointer events and applies the gestures to the zoom.
 */
export class PointerGestures {
	#pointers = new Map<number, Point>();

	/** How many pointers are down. */
	get count(): number {
		return this.#pointers.size;
	}

	down(id: number, point: Point): void {
		this.#pointers.set(id, point);
	}

	/** A pressed pointer moved to `point`: the gesture it makes, or nothing for a pointer not pressed here. */
	move(id: number, point: Point): Gesture | undefined {
		const before = this.#pointers.get(id);
		if (!before) return undefined;
		this.#pointers.set(id, point);
		const others = [...this.#pointers].filter(([other]) => other !== id).map(([, p]) => p);
		const other = others[0];
		if (other && others.length === 1) {
			// Fingers that started on the same spot would divide by zero: treat them as one pixel apart.
			const factor = distance(point, other) / Math.max(1, distance(before, other));
			return { kind: 'pinch', factor, at: { x: (point.x + other.x) / 2, y: (point.y + other.y) / 2 } };
		}
		return { kind: 'pan', dx: point.x - before.x, dy: point.y - before.y };
	}

	/** A pointer lifted or cancelled. */
	up(id: number): void {
		this.#pointers.delete(id);
	}
}
