import { describe, expect, it } from 'vitest';
import { detectSeparator, parseCsv } from './csv';

describe('parseCsv', () => {
	it('splits plain rows and skips blank lines', () => {
		expect(parseCsv({ text: 'a,b\n1,2\n\n3,4\n' })).toEqual({
			ok: true,
			rows: [
				['a', 'b'],
				['1', '2'],
				['3', '4']
			]
		});
	});

	it('keeps separators, line breaks and doubled quotes inside quoted fields', () => {
		const text = 'prompt,seed\r\n"a cat, sitting",1\r\n"line one\nline two",2\r\n"she said ""hi""",3';
		expect(parseCsv({ text })).toEqual({
			ok: true,
			rows: [
				['prompt', 'seed'],
				['a cat, sitting', '1'],
				['line one\nline two', '2'],
				['she said "hi"', '3']
			]
		});
	});

	it('keeps an empty quoted field and empty cells', () => {
		expect(parseCsv({ text: 'a,b,c\n"",,x' })).toEqual({
			ok: true,
			rows: [
				['a', 'b', 'c'],
				['', '', 'x']
			]
		});
	});

	it('drops a byte order mark and reads semicolon and tab files', () => {
		expect(parseCsv({ text: '\uFEFFa;b\n"1;5";2' })).toEqual({
			ok: true,
			rows: [
				['a', 'b'],
				['1;5', '2']
			]
		});
		expect(parseCsv({ text: 'a\tb\nx y\tz' })).toEqual({
			ok: true,
			rows: [
				['a', 'b'],
				['x y', 'z']
			]
		});
	});

	it('refuses an unterminated quote, naming the line where it opened', () => {
		const r = parseCsv({ text: 'a,b\n1,2\n"open,3\n4,5' });
		expect(r).toEqual({ ok: false, message: expect.stringContaining('Line 3') });
	});

	it('refuses text after a closing quote instead of guessing', () => {
		const r = parseCsv({ text: 'a\n"x"y' });
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.message).toMatch(/^Line 2: text after a closing quote/);
	});
});

describe('detectSeparator', () => {
	it('looks at the first line outside quotes', () => {
		expect(detectSeparator('"a,b";c\n1,2')).toBe(';');
		expect(detectSeparator('prompt\n1,2')).toBe(',');
	});
});
