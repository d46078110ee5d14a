import { describe, expect, it } from 'vitest';
import { colorToHex, formatLimit, hexToColor, isColorParameter, stepValue } from './number-field';

describe('stepValue', () => {
	it('moves by the step on its grid and stops at the bounds', () => {
		expect(stepValue({ value: 7, direction: 1, step: 0.5, min: 0, max: 30, integer: false })).toBe(7.5);
		expect(stepValue({ value: 7.3, direction: 1, step: 0.5, min: 0, max: 30, integer: false })).toBe(7.5);
		expect(stepValue({ value: 7.3, direction: -1, step: 0.5, min: 0, max: 30, integer: false })).toBe(7);
		expect(stepValue({ value: 0.1, direction: 1, step: 0.1, integer: false })).toBe(0.2);
		expect(stepValue({ value: 512, direction: 1, step: 8, min: 16, max: 16384, integer: true })).toBe(520);
		expect(stepValue({ value: 16384, direction: 1, step: 8, min: 16, max: 16384, integer: true })).toBe(
			16384
		);
		expect(stepValue({ value: 1, direction: -1, min: 1, max: 100, integer: true })).toBe(1);
	});

	it('starts from the minimum when the field is empty or half-typed', () => {
		expect(stepValue({ value: null, direction: 1, min: 1, max: 100, integer: true })).toBe(2);
		expect(stepValue({ value: '7x', direction: -1, min: 1, max: 100, integer: true })).toBe(1);
	});
});

describe('colours', () => {
	it('recognises ComfyUI colour integers and converts them both ways', () => {
		const p = { kind: 'INT', min: 0, max: 0xffffff, label: 'Color', targets: [{ input: 'color' }] };
		expect(isColorParameter(p)).toBe(true);
		expect(isColorParameter({ ...p, label: 'Fill', targets: [{ input: 'fill' }] })).toBe(false);
		expect(isColorParameter({ ...p, max: 100 })).toBe(false);
		expect(colorToHex(16744448)).toBe('#ff8000');
		expect(colorToHex(0)).toBe('#000000');
		expect(colorToHex(99_999_999)).toBe('#ffffff');
		expect(hexToColor('#ff8000')).toBe(16744448);
	});
});

describe('formatLimit', () => {
	it('writes the seed maximum whole', () => {
		expect(formatLimit(2 ** 64)).toBe('18446744073709551615');
		expect(formatLimit(16384)).toBe('16384');
		expect(formatLimit(0.5)).toBe('0.5');
	});
});
