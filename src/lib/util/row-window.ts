/**
 * Which rows of a list of fixed-height rows to mount: those within `overscan` px of the viewport. `top` is the
 * list's top edge relative to the viewport (negative once scrolled past it). Returns `[first, last]` (inclusive), or
 * `[0, -1]` when none is near the viewport.
 */
export function rowWindow({
	count,
	rowHeight,
	top,
	viewport,
	overscan
}: {
	count: number;
	rowHeight: number;
	top: number;
	viewport: number;
	overscan: number;
}): [number, number] {
	if (count <= 0 || rowHeight <= 0) return [0, -1];
	const first = Math.max(0, Math.floor((-top - overscan) / rowHeight));
	const last = Math.min(count - 1, Math.ceil((viewport - top + overscan) / rowHeight) - 1);
	return first > last ? [0, -1] : [first, last];
}
