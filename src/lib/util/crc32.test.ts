import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';

describe('crc32', () => {
	it('gives the published check value and the checksum of an empty PNG end chunk', () => {
		// "123456789" → 0xCBF43926 is the standard CRC-32 check value; every PNG ends with IEND and AE 42 60 82.
		expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
		expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
		expect(crc32(new Uint8Array())).toBe(0);
	});
});
