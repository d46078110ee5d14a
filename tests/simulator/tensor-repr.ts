// `str(tensor)` as PyTorch prints it, for `execution_error.current_inputs` (which can be huge on a real
// server: clients must cope). Four decimals, right-aligned, nested brackets with torch's blank-line rules,
// and `...` summaries above 1000 elements.

const EDGE = 3;
const THRESHOLD = 1000;

interface View {
	shape: number[];
	at: (index: number[]) => number;
}

function formatter(values: number[]): (v: number) => string {
	const finite = values.filter((v) => Number.isFinite(v));
	const intMode = finite.every((v) => Number.isInteger(v));
	const maxAbs = Math.max(0, ...finite.map(Math.abs));
	const nonzero = finite.map(Math.abs).filter((v) => v > 0);
	const minAbs = nonzero.length > 0 ? Math.min(...nonzero) : 0;
	const sci = !intMode && (maxAbs > 1e8 || (minAbs > 0 && minAbs < 1e-4) || maxAbs / (minAbs || 1) > 1000);
	const raw = (v: number): string => {
		if (Number.isNaN(v)) return 'nan';
		if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
		if (intMode) return `${v.toFixed(0)}.`;
		if (sci) return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
		return v.toFixed(4);
	};
	const width = Math.max(1, ...values.map((v) => raw(v).length));
	return (v) => raw(v).padStart(width);
}

function indices(size: number, summarize: boolean): Array<number | null> {
	if (!summarize || size <= 2 * EDGE) return Array.from({ length: size }, (_, i) => i);
	return [0, 1, 2, null, size - 3, size - 2, size - 1];
}

function collect(view: View, summarize: boolean, prefix: number[], out: number[]): void {
	const dim = prefix.length;
	const size = view.shape[dim] ?? 0;
	for (const i of indices(size, summarize)) {
		if (i === null) continue;
		if (dim === view.shape.length - 1) out.push(view.at([...prefix, i]));
		else collect(view, summarize, [...prefix, i], out);
	}
}

function render(
	view: View,
	fmt: (v: number) => string,
	summarize: boolean,
	prefix: number[],
	indent: number
): string {
	const dim = prefix.length;
	const remaining = view.shape.length - dim;
	const size = view.shape[dim] ?? 0;
	if (remaining === 1) {
		const parts = indices(size, summarize).map((i) => (i === null ? '...' : fmt(view.at([...prefix, i]))));
		return `[${parts.join(', ')}]`;
	}
	const parts = indices(size, summarize).map((i) =>
		i === null ? '...' : render(view, fmt, summarize, [...prefix, i], indent + 1)
	);
	return `[${parts.join(`,${'\n'.repeat(remaining - 1)}${' '.repeat(indent + 1)}`)}]`;
}

/** `str(t)` for a float tensor of `shape` whose flat row-major data is `data`. */
export function tensorRepr(shape: number[], data: ArrayLike<number>): string {
	const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
	const view: View = {
		shape,
		at: (index) => data[index.reduce((sum, i, d) => sum + i * (strides[d] ?? 0), 0)] ?? 0
	};
	const numel = shape.reduce((a, b) => a * b, 1);
	const summarize = numel > THRESHOLD;
	const values: number[] = [];
	collect(view, summarize, [], values);
	const body = render(view, formatter(values), summarize, [], 'tensor('.length);
	return `tensor(${body})`;
}
