/** A list of fixed-height rows and where it sits: `top` is its top edge relative to the viewport. */
export interface RowGeometry {
	count: number;
	rowHeight: number;
	top: number;
	viewport: number;
	overscan: number;
}

/**
 * Which rows of a list of fixed-height rows to mount: those within `overscan` px of the viewport. `top` is the
 * list's top edge relative to the viewport (negative once scrolled past it). Returns `[first, last]` (inclusive), or
 * `[0, -1]` when none is near the viewport.
 */
export function rowWindow({ count, rowHeight, top, viewport, overscan }: RowGeometry): [number, number] {
	if (count <= 0 || rowHeight <= 0) return [0, -1];
	const first = Math.max(0, Math.floor((-top - overscan) / rowHeight));
	const last = Math.min(count - 1, Math.ceil((viewport - top + overscan) / rowHeight) - 1);
	return first > last ? [0, -1] : [first, last];
}

/**
 * The most rows `rowWindow` ever mounts for a viewport: rows are reused by their place in the window (row `i` in
 * slot `i % windowSlots`), so that many slots never hold two rows at once.
 */
export function windowSlots({
	rowHeight,
	viewport,
	overscan
}: {
	rowHeight: number;
	viewport: number;
	overscan: number;
}): number {
	return rowHeight > 0 ? Math.ceil((viewport + 2 * overscan) / rowHeight) + 1 : 1;
}

/**
 * `rowWindow` widened to every slot of `windowSlots` (fewer only when the list is shorter): a window of constant
 * size keeps every row box busy, so scrolling always hands the box of the row that left to the row that came in,
 * instead of now and then letting one go and building another.
 */
export function slotWindow(options: RowGeometry): [number, number] {
	const [first, last] = rowWindow(options);
	if (first > last) return [first, last];
	const slots = windowSlots(options);
	const to = Math.min(options.count - 1, first + slots - 1);
	return [Math.max(0, to - slots + 1), to];
}
