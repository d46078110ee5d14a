/** Where a zoomed picture sits: its scale and its offset from the centre of the stage, in screen pixels. */
export interface ZoomView {
	scale: number;
	x: number;
	y: number;
}

/** The picture fitted to the stage, centred. */
export const FIT: ZoomView = { scale: 1, x: 0, y: 0 };

export const MIN_SCALE = 1;
export const MAX_SCALE = 16;

/**
 * Zooms by `factor` keeping the point under the pointer (`at`, measured from the stage's centre) where it is, as
 * maps and photo viewers do. The scale stays within 1 (fitted) and 16; back at 1 the picture is centred again.
 */
export function zoomAt(options: { view: ZoomView; factor: number; at?: { x: number; y: number } }): ZoomView {
	const { view, factor } = options;
	const at = options.at ?? { x: 0, y: 0 };
	const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
	if (scale === MIN_SCALE) return FIT;
	const k = scale / view.scale;
	// The picture point under `at` was (at - offset) / scale; keep it under `at` at the new scale.
	return { scale, x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k };
}

/**
 * Moves a zoomed picture by a drag, never so far that it leaves the stage: at most half of the picture's overflow
 * in each direction (`size` is the fitted picture's size on screen). A fitted picture does not move.
 */
export function panBy(options: {
	view: ZoomView;
	dx: number;
	dy: number;
	size: { width: number; height: number };
	stage: { width: number; height: number };
}): ZoomView {
	const { view, size, stage } = options;
	if (view.scale <= MIN_SCALE) return FIT;
	const limit = (picture: number, room: number) => Math.max(0, (picture * view.scale - room) / 2);
	const clamp = (value: number, max: number) => Math.min(max, Math.max(-max, value));
	return {
		scale: view.scale,
		x: clamp(view.x + options.dx, limit(size.width, stage.width)),
		y: clamp(view.y + options.dy, limit(size.height, stage.height))
	};
}

/** The zoom factor a wheel turn asks for: smooth for trackpads (small deltas), one step per notch for mice. */
export function wheelFactor(deltaY: number): number {
	return Math.exp(-Math.max(-100, Math.min(100, deltaY)) / 300);
}
