/**
 * Small pure helpers of the form's number fields: steppers that respect step, min and max, ComfyUI's colour
 * integers (0xRRGGBB) as `#rrggbb`, and limits written out whole.
 */

/** The value one step up or down from `value`, kept within the bounds and on the step's decimals. */
export function stepValue({
	value,
	direction,
	step,
	min,
	max,
	integer
}: {
	value: unknown;
	direction: 1 | -1;
	step?: number;
	min?: number;
	max?: number;
	integer: boolean;
}): number {
	const size = step && step > 0 ? step : integer ? 1 : 0.1;
	const start = typeof value === 'number' && Number.isFinite(value) ? value : (min ?? 0);
	// Snap to the step grid first (from min), so 7.3 with step 0.5 goes to 7.5 or 7, not 7.8.
	const origin = min ?? 0;
	const index = (start - origin) / size;
	const snapped = direction > 0 ? Math.floor(index + 1e-9) + 1 : Math.ceil(index - 1e-9) - 1;
	let next = origin + snapped * size;
	const decimals = decimalsOf(size);
	next = Number(next.toFixed(decimals));
	if (integer) next = Math.round(next);
	if (max !== undefined && next > max) next = max;
	if (min !== undefined && next < min) next = min;
	return next;
}

function decimalsOf(n: number): number {
	const text = String(n);
	const dot = text.indexOf('.');
	return dot === -1 ? 0 : Math.min(10, text.length - dot - 1);
}

/** Whether an INT parameter is one of ComfyUI's colours (EmptyImage's `color`: 0 to 0xFFFFFF). */
export function isColorParameter(p: {
	kind: string;
	min?: number;
	max?: number;
	label: string;
	targets: { input: string }[];
}): boolean {
	if (p.kind !== 'INT' || p.max !== 0xffffff || (p.min ?? 0) !== 0) return false;
	return /colou?r/i.test(p.label) || p.targets.some((t) => /colou?r/i.test(t.input));
}

/** `#rrggbb` of a colour integer (out-of-range values clamp). */
export function colorToHex(value: unknown): string {
	const n = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0;
	const clamped = Math.min(0xffffff, Math.max(0, n));
	return `#${clamped.toString(16).padStart(6, '0')}`;
}

/** The colour integer of `#rrggbb`. */
export function hexToColor(hex: string): number {
	return Number.parseInt(hex.replace(/^#/, ''), 16) || 0;
}

/**
 * A limit written out whole. ComfyUI's seed maximum is 0xFFFFFFFFFFFFFFFF, which a JS number can only hold as
 * 2^64: show the integer the server means rather than 18446744073709552000 or 1.84e+19.
 */
export function formatLimit(n: number): string {
	if (n === 2 ** 64) return '18446744073709551615';
	if (n === -(2 ** 63)) return '-9223372036854775808';
	if (n === 2 ** 63) return '9223372036854775807';
	if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
	return String(n);
}
