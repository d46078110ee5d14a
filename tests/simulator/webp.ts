// A minimal lossless WebP (VP8L) encoder for `/view?preview=webp`: no transforms, no backward references,
// one fixed 8-bit prefix code per channel. Files are larger than libwebp's but decode in every browser, and
// no maintained pure-JS WebP encoder exists (PNG and JPEG use pngjs and jpeg-js).

class BitWriter {
	private readonly bytes: number[] = [];
	private current = 0;
	private used = 0;

	/** Writes `count` bits of `value`, least significant first (VP8L bit order). */
	write(value: number, count: number): void {
		for (let i = 0; i < count; i++) {
			this.current |= ((value >>> i) & 1) << this.used;
			this.used += 1;
			if (this.used === 8) {
				this.bytes.push(this.current);
				this.current = 0;
				this.used = 0;
			}
		}
	}

	finish(): Buffer {
		if (this.used > 0) this.bytes.push(this.current);
		return Buffer.from(this.bytes);
	}
}

// Order in which code-length code lengths are stored (VP8L spec).
const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * A normal prefix code giving length 8 to symbols 0..255 and length 0 to the rest of an alphabet of
 * `alphabetSize`. The code-length code has two symbols of length 1: "0" (bit 0) and "8" (bit 1).
 */
function writeFlatCode(bits: BitWriter, alphabetSize: number): void {
	bits.write(0, 1); // normal (not simple) code
	const lengths = new Map([
		[0, 1],
		[8, 1]
	]);
	const count = CODE_LENGTH_ORDER.indexOf(8) + 1;
	bits.write(count - 4, 4);
	for (let i = 0; i < count; i++) bits.write(lengths.get(CODE_LENGTH_ORDER[i] ?? -1) ?? 0, 3);
	bits.write(0, 1); // no max_symbol: every symbol's length follows
	for (let symbol = 0; symbol < alphabetSize; symbol++) bits.write(symbol < 256 ? 1 : 0, 1);
}

/** A simple prefix code with one 8-bit symbol (costs no bits per pixel). */
function writeSingleSymbol(bits: BitWriter, symbol: number): void {
	bits.write(1, 1); // simple code
	bits.write(0, 1); // one symbol
	bits.write(1, 1); // 8-bit symbol
	bits.write(symbol, 8);
}

function reverse8(value: number): number {
	let out = 0;
	for (let i = 0; i < 8; i++) out |= ((value >> i) & 1) << (7 - i);
	return out;
}

/** Encodes RGBA bytes as a lossless WebP file. */
export function encodeWebpLossless(rgba: Uint8Array, width: number, height: number): Buffer {
	const pixels = width * height;
	let opaque = true;
	for (let p = 0; p < pixels; p++) if (rgba[p * 4 + 3] !== 255) opaque = false;
	const bits = new BitWriter();
	bits.write(0x2f, 8); // signature
	bits.write(width - 1, 14);
	bits.write(height - 1, 14);
	bits.write(opaque ? 0 : 1, 1); // alpha_is_used hint
	bits.write(0, 3); // version
	bits.write(0, 1); // no transform
	bits.write(0, 1); // no color cache
	bits.write(0, 1); // no meta prefix codes
	writeFlatCode(bits, 256 + 24); // green + length prefixes
	writeFlatCode(bits, 256); // red
	writeFlatCode(bits, 256); // blue
	if (opaque) writeSingleSymbol(bits, 255);
	else writeFlatCode(bits, 256); // alpha
	writeSingleSymbol(bits, 0); // distance (unused)
	for (let p = 0; p < pixels; p++) {
		// Canonical codes with equal lengths are the symbols themselves, sent MSB first.
		bits.write(reverse8(rgba[p * 4 + 1] ?? 0), 8);
		bits.write(reverse8(rgba[p * 4] ?? 0), 8);
		bits.write(reverse8(rgba[p * 4 + 2] ?? 0), 8);
		if (!opaque) bits.write(reverse8(rgba[p * 4 + 3] ?? 0), 8);
	}
	const data = bits.finish();
	const chunkSize = data.length;
	const padded = chunkSize % 2 === 1 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
	const header = Buffer.alloc(20);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(4 + 8 + padded.length, 4);
	header.write('WEBP', 8, 'latin1');
	header.write('VP8L', 12, 'latin1');
	header.writeUInt32LE(chunkSize, 16);
	return Buffer.concat([header, padded]);
}
