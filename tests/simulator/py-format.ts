// Python-compatible text formatting. ComfyUI answers with `json.dumps` (", " and ": " separators, ASCII only)
// and builds error messages with `str()`/`repr()`, so byte lengths (binary metadata headers, Content-Length)
// and message texts only match the real server when we format the same way.

/** A float that must print with a decimal point (`1.0`), as Python does for `float` values. */
export class PyFloat {
	constructor(readonly value: number) {}
}

/** Python's `repr(float)`: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pyFloatRepr(value: number): string {
	if (Number.isNaN(value)) return 'nan';
	if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
	if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
	const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
	const exponent = Number(exp);
	const negative = mantissa.startsWith('-');
	const digits = mantissa.replace('-', '').replace('.', '');
	let out: string;
	if (exponent < -4 || exponent >= 16) {
		const frac = digits.slice(1);
		const sign = exponent < 0 ? '-' : '+';
		out = `${digits[0]}${frac ? `.${frac}` : ''}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
	} else if (exponent < 0) {
		out = `0.${'0'.repeat(-exponent - 1)}${digits}`;
	} else if (digits.length <= exponent + 1) {
		out = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
	} else {
		out = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
	}
	return negative ? `-${out}` : out;
}

// 2**64 only arises from parsing ComfyUI's uint64 maximum (seed inputs), which Python keeps exact.
const UINT64_MAX_AS_DOUBLE = 18446744073709551616;

function pyNumber(value: number): string {
	if (value === UINT64_MAX_AS_DOUBLE) return '18446744073709551615';
	if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
	return pyFloatRepr(value);
}

function escapeJsonString(text: string): string {
	let out = '"';
	for (const ch of text) {
		const code = ch.codePointAt(0) ?? 0;
		if (ch === '"') out += '\\"';
		else if (ch === '\\') out += '\\\\';
		else if (ch === '\n') out += '\\n';
		else if (ch === '\r') out += '\\r';
		else if (ch === '\t') out += '\\t';
		else if (ch === '\b') out += '\\b';
		else if (ch === '\f') out += '\\f';
		else if (code < 0x20 || (code >= 0x7f && code <= 0xffff))
			out += `\\u${code.toString(16).padStart(4, '0')}`;
		else if (code > 0xffff) {
			const hi = Math.floor((code - 0x10000) / 0x400) + 0xd800;
			const lo = ((code - 0x10000) % 0x400) + 0xdc00;
			out += `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
		} else out += ch;
	}
	return `${out}"`;
}

/** `json.dumps(value)` with Python's default separators and `ensure_ascii=True`. */
export function pyDumps(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (value instanceof PyFloat) return pyFloatRepr(value.value);
	if (typeof value === 'number') {
		if (Number.isNaN(value)) return 'NaN';
		if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
		return pyNumber(value);
	}
	if (typeof value === 'bigint') return value.toString();
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'string') return escapeJsonString(value);
	if (Array.isArray(value)) return `[${value.map((item) => pyDumps(item)).join(', ')}]`;
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
		return `{${entries.map(([k, v]) => `${escapeJsonString(k)}: ${pyDumps(v)}`).join(', ')}}`;
	}
	return 'null';
}

/** Python's `repr()` of a JSON-like value (strings in single quotes where possible). */
export function pyRepr(value: unknown): string {
	if (value === null || value === undefined) return 'None';
	if (value instanceof PyFloat) return pyFloatRepr(value.value);
	if (typeof value === 'boolean') return value ? 'True' : 'False';
	if (typeof value === 'number') return pyNumber(value);
	if (typeof value === 'string') {
		const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
		const body = value
			.replace(/\\/g, '\\\\')
			.replace(/\n/g, '\\n')
			.replace(/\r/g, '\\r')
			.replace(/\t/g, '\\t')
			.replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
		return `${quote}${body}${quote}`;
	}
	if (Array.isArray(value)) return `[${value.map((item) => pyRepr(item)).join(', ')}]`;
	if (typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>);
		return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
	}
	return String(value);
}

/** Python's `str()`: like repr, except that a bare string prints as itself. */
export function pyStr(value: unknown): string {
	return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's `type(x).__name__` for a JSON-like value. */
export function pyTypeName(value: unknown): string {
	if (value === null || value === undefined) return 'NoneType';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
	if (typeof value === 'string') return 'str';
	if (Array.isArray(value)) return 'list';
	return 'dict';
}

/** Python's `round()` (half to even), used by PIL's `ImageOps.contain`. */
export function pyRound(value: number): number {
	const floor = Math.floor(value);
	const diff = value - floor;
	if (diff > 0.5) return floor + 1;
	if (diff < 0.5) return floor;
	return floor % 2 === 0 ? floor : floor + 1;
}
