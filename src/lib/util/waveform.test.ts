import { describe, expect, it } from 'vitest';
import { peaksOf } from './waveform';

describe('peaksOf', () => {
	it('keeps the loudest sample of every channel in each slice, as 0…1 to 1/100', () => {
		const left = new Float32Array([0.1, -0.5, 0, 0, 0.25, 0.2, 0, 0]);
		const right = new Float32Array([0, 0, 0, -0.333, 0, 0.9, 0, 0]);
		expect(peaksOf([left, right], 4)).toEqual([0.5, 0.33, 0.9, 0]);
	});

	it('gives silence as zeros, clips what goes past full scale, and fills more bars than samples', () => {
		expect(peaksOf([new Float32Array(100)], 5)).toEqual([0, 0, 0, 0, 0]);
		expect(peaksOf([new Float32Array([1.7, -2])], 2)).toEqual([1, 1]);
		expect(peaksOf([new Float32Array([0.5, 1])], 4)).toEqual([0.5, 0.5, 1, 1]);
		expect(peaksOf([], 3)).toEqual([0, 0, 0]);
	});
});
