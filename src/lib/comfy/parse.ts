/**
 * Parsing with readable English messages. `zod/mini` ships no locale (that is most of its weight saving), so a bare
 * `safeParse` says only "Invalid input". These wrappers pass a small error map per call instead of setting zod's
 * global config: importing the core must not change the messages of the host app's own schemas.
 */
import * as z from 'zod/mini';

type RawIssue = z.core.$ZodRawIssue;

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
	return typeof value;
}

function shown(value: unknown): string {
	return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The message zod's English locale gives, for the issues our schemas can raise. */
export function issueMessage(issue: RawIssue): string {
	switch (issue.code) {
		case 'invalid_type':
			return `Invalid input: expected ${issue.expected}, received ${typeOf(issue.input)}`;
		case 'invalid_value':
			return issue.values.length === 1
				? `Invalid input: expected ${shown(issue.values[0])}`
				: `Invalid option: expected one of ${issue.values.map(shown).join('|')}`;
		case 'too_big':
		case 'too_small': {
			const big = issue.code === 'too_big';
			const limit = big ? issue.maximum : issue.minimum;
			const op = issue.exact ? 'exactly ' : `${big ? '<' : '>'}${issue.inclusive ? '=' : ''}`;
			const unit = { string: ' characters', array: ' items', set: ' items', file: ' bytes' }[
				issue.origin as string
			];
			return `Too ${big ? 'big' : 'small'}: expected ${issue.origin ?? 'value'} to ${unit ? 'have' : 'be'} ${op}${String(limit)}${unit ?? ''}`;
		}
		case 'invalid_format':
			return issue.format === 'regex'
				? `Invalid string: must match pattern ${issue.pattern}`
				: `Invalid ${issue.format}`;
		case 'not_multiple_of':
			return `Invalid number: must be a multiple of ${issue.divisor}`;
		case 'unrecognized_keys':
			return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
		case 'invalid_key':
			return `Invalid key in ${issue.origin}`;
		case 'invalid_element':
			return `Invalid value in ${issue.origin}`;
		default:
			return 'Invalid input';
	}
}

const READABLE = { error: issueMessage };

/** Any schema whose output is `T` (zod/mini's own types are invariant through `.check`). */
export type Schema<T = unknown> = z.core.$ZodType<T>;

/** `schema.safeParse(value)` with English messages. */
export function safeParse<T>(schema: Schema<T>, value: unknown): z.core.util.SafeParseResult<T> {
	return z.safeParse(schema, value, READABLE);
}

/** `schema.parse(value)` with English messages (throws a `$ZodError`). */
export function parse<T>(schema: Schema<T>, value: unknown): T {
	return z.parse(schema, value, READABLE);
}
