/** Test-only: builds PNG files with arbitrary text chunks (pngjs cannot write tEXt). */
import { crc32 } from '../../../util/crc32';
import { fixtureBytes } from './fixtures';

function chunk(type: string, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	out.set(new TextEncoder().encode(type), 4);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
	return out;
}

/** The 96×64 fixture PNG with its text chunks replaced by `texts` (keyword → Latin-1 text). */
export function pngWithText(texts: Record<string, string>): Uint8Array {
	const src = fixtureBytes('images/invert-png.png');
	const parts: Uint8Array[] = [src.subarray(0, 8)];
	let p = 8;
	while (p < src.length) {
		const len = new DataView(src.buffer, src.byteOffset + p).getUint32(0);
		const type = String.fromCharCode(...src.subarray(p + 4, p + 8));
		const whole = src.subarray(p, p + 12 + len);
		if (type === 'IEND') {
			for (const [k, v] of Object.entries(texts)) {
				parts.push(chunk('tEXt', new TextEncoder().encode(`${k}\0${v}`)));
			}
		}
		if (type !== 'tEXt') parts.push(whole);
		p += 12 + len;
	}
	const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
	let o = 0;
	for (const part of parts) {
		out.set(part, o);
		o += part.length;
	}
	return out;
}
