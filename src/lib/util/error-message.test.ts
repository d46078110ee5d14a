import { describe, expect, it } from 'vitest';
import { errorMessage } from './error-message';

describe('errorMessage', () => {
	it("reads an Error's message", () => {
		expect(errorMessage(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
	});

	it('names an Error that has no message rather than saying nothing', () => {
		expect(errorMessage(new RangeError())).toBe('RangeError');
	});

	it('keeps a thrown string and turns other values into text', () => {
		expect(errorMessage('socket closed')).toBe('socket closed');
		expect(errorMessage(404)).toBe('404');
		expect(errorMessage(undefined)).toBe('undefined');
	});

	it('says what to do when the browser storage is full', () => {
		const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		expect(errorMessage(full)).toBe('the browser storage is full — delete old history or raise the quota');
	});

	it('ends the text with a full stop on request, once', () => {
		expect(errorMessage(new Error('the file is not a zip'), { sentence: true })).toBe(
			'the file is not a zip.'
		);
		expect(errorMessage(new Error('Is it a backup?'), { sentence: true })).toBe('Is it a backup?');
		expect(errorMessage(new Error('the file is not a zip'))).toBe('the file is not a zip');
	});
});
