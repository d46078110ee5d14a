/**
 * The protocol core's boundary checks: a small schema builder with the names and behaviour of the part of
 * `zod/mini` the core used (`import * as z from './guard'`), so the core parses every response and frame as
 * before without shipping zod (about 8 KB gzipped of the core's 28; see scripts/weight.js). Loose objects keep the
 * fields a newer server adds; defaults fill absent ones; issues carry a path and zod's English message.
 * The app's own schemas (templates, storage, backups) stay on zod/mini.
 */

/** One thing wrong with a value: where (`path`) and what (`message`, as zod's English locale says it). */
export interface Issue {
	code: 'invalid_type' | 'invalid_value' | 'too_small' | 'too_big';
	path: PropertyKey[];
	message: string;
}

export type SafeParseResult<T> =
	| { success: true; data: T; error?: undefined }
	| { success: false; data?: undefined; error: { issues: Issue[] } };

const INVALID: unique symbol = Symbol('invalid');
type Run = (value: unknown, path: PropertyKey[], issues: Issue[]) => unknown;

/** A schema whose parsed output is `T`; `O` (types only) says the key may be absent from an object's output. */
export interface Schema<T = unknown, O extends boolean = boolean> {
	readonly _output: T;
	readonly _optional?: O;
	/** Internal: the parsed value, or INVALID with the issues pushed. */
	readonly run: Run;
	parse(value: unknown): T;
	safeParse(value: unknown): SafeParseResult<T>;
}

// The methods every schema has (zod/mini's `schema.parse(value)` form), shared rather than copied per schema.
const methods = {
	parse(this: Schema, value: unknown) {
		return parse(this, value);
	},
	safeParse(this: Schema, value: unknown) {
		return safeParse(this, value);
	}
};

export type infer<S extends Schema> = S['_output'];

type Shape = Record<string, Schema>;
type OptionalKeys<S extends Shape> = {
	[K in keyof S]: S[K] extends Schema<unknown, true> ? K : never;
}[keyof S];
type Flat<T> = { [K in keyof T]: T[K] } & {};
/** A loose object's output: the shape's fields (absent-able ones optional) and whatever else the server sent. */
export type ObjectOutput<S extends Shape> = Flat<
	{ -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: S[K]['_output'] } & {
		-readonly [K in OptionalKeys<S>]?: S[K]['_output'];
	} & { [key: string]: unknown }
>;

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOutput<S>, false> {
	readonly shape: S;
}

/* @__NO_SIDE_EFFECTS__ */
function schema<T, O extends boolean = false>(run: Run, extra: object = {}): Schema<T, O> {
	return Object.assign(Object.create(methods) as object, extra, { run }) as Schema<T, O>;
}

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
	return typeof value;
}

function wrongType(expected: string, value: unknown, path: PropertyKey[], issues: Issue[]): typeof INVALID {
	issues.push({
		code: 'invalid_type',
		path,
		message: `Invalid input: expected ${expected}, received ${typeOf(value)}`
	});
	return INVALID;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

// Each primitive is one shared schema. The builders are marked free of side effects so a bundler drops the
// schemas nobody uses (every schema of schemas.ts is a top-level call of them).
const stringSchema = schema<string>((v, path, issues) =>
	typeof v === 'string' ? v : wrongType('string', v, path, issues)
);
const numberSchema = schema<number>((v, path, issues) =>
	typeof v === 'number' && Number.isFinite(v) ? v : wrongType('number', v, path, issues)
);
const booleanSchema = schema<boolean>((v, path, issues) =>
	typeof v === 'boolean' ? v : wrongType('boolean', v, path, issues)
);
const anything = schema<unknown, true>((value) => value);

/* @__NO_SIDE_EFFECTS__ */
export function string(): Schema<string, false> {
	return stringSchema;
}
/* @__NO_SIDE_EFFECTS__ */
export function number(): Schema<number, false> {
	return numberSchema;
}
/* @__NO_SIDE_EFFECTS__ */
export function boolean(): Schema<boolean, false> {
	return booleanSchema;
}
/* @__NO_SIDE_EFFECTS__ */
export function unknown(): Schema<unknown, true> {
	return anything;
}

/* @__NO_SIDE_EFFECTS__ */
export function optional<T>(inner: Schema<T>): Schema<T | undefined, true> {
	return schema((value, path, issues) => (value === undefined ? undefined : inner.run(value, path, issues)));
}

/* @__NO_SIDE_EFFECTS__ */
export function nullable<T, O extends boolean>(inner: Schema<T, O>): Schema<T | null, O> {
	return schema((value, path, issues) => (value === null ? null : inner.run(value, path, issues)));
}

/* @__NO_SIDE_EFFECTS__ */
export function nullish<T>(inner: Schema<T>): Schema<T | null | undefined, true> {
	return schema((value, path, issues) => (value == null ? value : inner.run(value, path, issues)));
}

/** `fallback` (a fresh shallow copy each time) when the value is absent, else the value checked by `inner`. */
/* @__NO_SIDE_EFFECTS__ */
export function _default<T>(inner: Schema<T>, fallback: NoInfer<T>): Schema<T, false> {
	const fresh = () =>
		(Array.isArray(fallback) ? [...fallback] : isObject(fallback) ? { ...fallback } : fallback) as T;
	return schema((value, path, issues) => (value === undefined ? fresh() : inner.run(value, path, issues)));
}

/* @__NO_SIDE_EFFECTS__ */
export function array<T>(item: Schema<T>): Schema<T[]> {
	return schema((value, path, issues) => {
		if (!Array.isArray(value)) return wrongType('array', value, path, issues);
		let bad = false;
		const out = value.map((element, i) => {
			const parsed = item.run(element, [...path, i], issues);
			if (parsed === INVALID) bad = true;
			return parsed;
		});
		return bad ? INVALID : out;
	});
}

type TupleOutput<I extends readonly Schema[]> = { -readonly [K in keyof I]: I[K]['_output'] };

/** A fixed-length array (`rest`: the type of any further items; without it, more items are an error). */
/* @__NO_SIDE_EFFECTS__ */
export function tuple<const I extends readonly Schema[], R = never>(
	items: I,
	rest?: Schema<R>
): Schema<[R] extends [never] ? TupleOutput<I> : [...TupleOutput<I>, ...R[]]> {
	return schema((value, path, issues) => {
		if (!Array.isArray(value)) return wrongType('array', value, path, issues);
		const n = items.length;
		if (value.length < n || (!rest && value.length > n)) {
			const small = value.length < n;
			issues.push({
				code: small ? 'too_small' : 'too_big',
				path,
				message: `Too ${small ? 'small' : 'big'}: expected array to have ${small ? '>=' : '<='}${n} items`
			});
			return INVALID;
		}
		let bad = false;
		const out = value.map((element, i) => {
			const parsed = (items[i] ?? rest ?? anything).run(element, [...path, i], issues);
			if (parsed === INVALID) bad = true;
			return parsed;
		});
		return bad ? INVALID : out;
	});
}

/** An object keyed by strings; keys are copied as own properties (a `__proto__` key never sets a prototype). */
/* @__NO_SIDE_EFFECTS__ */
export function record<T>(_key: Schema<string>, item: Schema<T>): Schema<Record<string, T>> {
	return schema((value, path, issues) => {
		if (!isObject(value)) return wrongType('record', value, path, issues);
		let bad = false;
		const entries = Object.keys(value).map((key) => {
			const parsed = item.run(value[key], [...path, key], issues);
			if (parsed === INVALID) bad = true;
			return [key, parsed] as const;
		});
		return bad ? INVALID : Object.fromEntries(entries);
	});
}

/** An object with at least `shape`'s fields; other fields pass through untouched. */
/* @__NO_SIDE_EFFECTS__ */
export function looseObject<S extends Shape>(shape: S): ObjectSchema<S> {
	const keys = Object.keys(shape);
	const run: Run = (value, path, issues) => {
		if (!isObject(value)) return wrongType('object', value, path, issues);
		// Spread copies own fields as data properties, so a `__proto__` field stays a field.
		const out: Record<string, unknown> = { ...value };
		let bad = false;
		for (const key of keys) {
			const field = shape[key] as Schema;
			const present = Object.hasOwn(value, key);
			const parsed = field.run(present ? value[key] : undefined, [...path, key], issues);
			if (parsed === INVALID) bad = true;
			else if (parsed !== undefined || present) out[key] = parsed;
		}
		return bad ? INVALID : out;
	};
	return schema(run, { shape }) as unknown as ObjectSchema<S>;
}

/* @__NO_SIDE_EFFECTS__ */
export function extend<S extends Shape, E extends Shape>(
	base: ObjectSchema<S>,
	shape: E
): ObjectSchema<Omit<S, keyof E> & E> {
	return looseObject({ ...base.shape, ...shape } as Omit<S, keyof E> & E);
}

/* @__NO_SIDE_EFFECTS__ */
function enum_<const V extends readonly string[]>(values: V): Schema<V[number]> {
	const allowed = new Set<unknown>(values);
	return schema((value, path, issues) => {
		if (allowed.has(value)) return value;
		issues.push({
			code: 'invalid_value',
			path,
			message: `Invalid option: expected one of ${values.map((v) => JSON.stringify(v)).join('|')}`
		});
		return INVALID;
	});
}
export { enum_ as enum };

export function safeParse<T>(s: Schema<T>, value: unknown): SafeParseResult<T> {
	const issues: Issue[] = [];
	const data = s.run(value, [], issues);
	return data === INVALID ? { success: false, error: { issues } } : { success: true, data: data as T };
}

/** Thrown by `parse`: the issues, the first one as the message. */
export class GuardError extends Error {
	constructor(readonly issues: Issue[]) {
		super(issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; '));
		this.name = 'GuardError';
	}
}

export function parse<T>(s: Schema<T>, value: unknown): T {
	const result = safeParse(s, value);
	if (!result.success) throw new GuardError(result.error.issues);
	return result.data;
}
