import { describe, expect, it } from 'vitest';
import * as z from './guard';

const zImage = z.looseObject({
	filename: z.string(),
	subfolder: z._default(z.string(), ''),
	width: z.optional(z.number()),
	tags: z._default(z.array(z.string()), [])
});

describe('guard: the core boundary checks', () => {
	it('keeps unknown fields, fills defaults and leaves absent optional fields absent', () => {
		const parsed = z.parse(zImage, { filename: 'a.png', extra: { kept: true } });
		expect(parsed).toEqual({ filename: 'a.png', subfolder: '', tags: [], extra: { kept: true } });
		expect('width' in parsed).toBe(false);
	});

	it('gives every parse its own copy of a default', () => {
		const a = z.parse(zImage, { filename: 'a' });
		a.tags.push('changed');
		expect(z.parse(zImage, { filename: 'b' }).tags).toEqual([]);
	});

	it('names the path and says what was expected, as zod does', () => {
		const result = z.safeParse(z.looseObject({ system: z.looseObject({ os: z.string() }) }), {
			system: { os: 3 }
		});
		expect(result.success).toBe(false);
		expect(result.error?.issues).toEqual([
			{
				code: 'invalid_type',
				path: ['system', 'os'],
				message: 'Invalid input: expected string, received number'
			}
		]);
		expect(z.safeParse(z.array(z.number()), [1, null]).error?.issues[0]).toMatchObject({
			path: [1],
			message: 'Invalid input: expected number, received null'
		});
		expect(z.safeParse(zImage, [1]).error?.issues[0]?.message).toBe(
			'Invalid input: expected object, received array'
		);
		expect(z.safeParse(z.number(), NaN).error?.issues[0]?.message).toBe(
			'Invalid input: expected number, received NaN'
		);
	});

	it('checks tuples by length, with or without a rest', () => {
		const pair = z.tuple([z.string(), z.number()]);
		expect(z.parse(pair, ['1', 0])).toEqual(['1', 0]);
		expect(z.safeParse(pair, ['1']).error?.issues[0]?.message).toBe(
			'Too small: expected array to have >=2 items'
		);
		expect(z.safeParse(pair, ['1', 0, 2]).error?.issues[0]?.message).toBe(
			'Too big: expected array to have <=2 items'
		);
		expect(z.parse(z.tuple([z.number()], z.unknown()), [1, 'a', {}])).toEqual([1, 'a', {}]);
	});

	it('accepts only the listed values of an enum', () => {
		const status = z.enum(['pending', 'done']);
		expect(z.parse(status, 'done')).toBe('done');
		expect(z.safeParse(status, 'constructor').error?.issues[0]?.message).toBe(
			'Invalid option: expected one of "pending"|"done"'
		);
	});

	it('keeps __proto__ and constructor keys as plain fields, never as a prototype', () => {
		const json = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"x": 1}, "filename": "a"}');
		const loose = z.parse(zImage, json);
		expect(Object.getPrototypeOf(loose)).toBe(Object.prototype);
		expect(Object.hasOwn(loose, '__proto__')).toBe(true);
		const record = z.parse(z.record(z.string(), z.unknown()), json);
		expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
		expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'filename']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('treats null and absence as the wrappers say', () => {
		expect(z.parse(z.nullable(z.string()), null)).toBeNull();
		expect(z.safeParse(z.nullable(z.string()), undefined).success).toBe(false);
		expect(z.parse(z.nullish(z.string()), undefined)).toBeUndefined();
		expect(z.safeParse(z.optional(z.string()), null).success).toBe(false);
	});

	it('extends an object schema, the new fields over the old', () => {
		const zSized = z.extend(zImage, { width: z.number() });
		expect(z.safeParse(zSized, { filename: 'a' }).success).toBe(false);
		expect(z.parse(zSized, { filename: 'a', width: 2 })).toMatchObject({ width: 2, subfolder: '' });
	});

	it('throws a GuardError listing the issues from parse, and offers zod’s method form', () => {
		expect(() => zImage.parse({})).toThrow('filename: Invalid input: expected string, received undefined');
		expect(zImage.safeParse({ filename: 'x' }).success).toBe(true);
	});
});
