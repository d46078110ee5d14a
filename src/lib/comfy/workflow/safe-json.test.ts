import { describe, expect, it } from 'vitest';
import { findSyntaxError, maxDepth, parseJsonSafely } from './safe-json';

describe('parseJsonSafely', () => {
	it('parses plain JSON', () => {
		expect(parseJsonSafely({ text: '{"a": [1, "x"]}' })).toEqual({
			ok: true,
			value: { a: [1, 'x'] },
			droppedKeys: [],
			repairedNumbers: false
		});
	});

	it('gives the line and column of a syntax error', () => {
		const result = parseJsonSafely({ text: '{\n  "a": 1,\n  "b": ]\n}' });
		expect(result).toMatchObject({ ok: false, line: 3, column: 8 });
		expect(!result.ok && result.message).toContain('line 3, column 8');
	});

	it('says a truncated file ends too early', () => {
		const result = parseJsonSafely({ text: '{"a": [1, 2' });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.message).toContain('ends too early');
	});

	it('says an empty file is empty and points at a stray word', () => {
		expect(parseJsonSafely({ text: '  \n' })).toEqual({ ok: false, message: 'The file is empty.' });
		expect(parseJsonSafely({ text: 'hello' })).toMatchObject({ ok: false, line: 1, column: 1 });
	});

	it.each([
		['{"a" 1}', 5],
		['[1,]', 3],
		['{"a": tru}', 9],
		['"x\\u12"', 3],
		['[01]', 2],
		['{} x', 3]
	])('finds the error in %s at offset %d', (text, offset) => {
		expect(findSyntaxError(text)).toBe(offset);
	});

	it('drops prototype keys anywhere and says which', () => {
		const result = parseJsonSafely({ text: '{"__proto__": {"x": 1}, "b": {"constructor": 2, "c": 3}}' });
		expect(result).toMatchObject({ ok: true, value: { b: { c: 3 } } });
		expect(result.ok && result.droppedKeys.sort()).toEqual(['__proto__', 'constructor']);
		expect(({} as Record<string, unknown>).x).toBeUndefined();
	});

	it('drops a prototype key spelled with \\u escapes, and keeps text that only looks like one', () => {
		const escaped = parseJsonSafely({ text: '{"\\u005f_proto__": {"x": 1}, "pro\\u0074otype": 2, "a": 1}' });
		expect(escaped).toMatchObject({ ok: true, value: { a: 1 } });
		expect(escaped.ok && escaped.droppedKeys.sort()).toEqual(['__proto__', 'prototype']);
		const lookalike = parseJsonSafely({ text: '{"note": "a constructor", "__proto": 1}' });
		expect(lookalike).toMatchObject({
			ok: true,
			value: { note: 'a constructor', __proto: 1 },
			droppedKeys: []
		});
	});

	it('reads NaN and Infinity outside strings as null', () => {
		const result = parseJsonSafely({ text: '{"a": NaN, "b": -Infinity, "c": "NaN"}' });
		expect(result).toMatchObject({ ok: true, value: { a: null, b: null, c: 'NaN' }, repairedNumbers: true });
	});

	it('refuses absurd nesting before parsing', () => {
		const result = parseJsonSafely({ text: '['.repeat(100_000) + ']'.repeat(100_000) });
		expect(!result.ok && result.message).toContain('nested');
	});

	it('does not count brackets inside strings', () => {
		expect(maxDepth('{"a": "[[[[[\\"[[["}')).toBe(1);
	});
});
