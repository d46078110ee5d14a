/**
 * Reading a zip archive entry by entry from a Blob (a picked File is backed by the disk, not memory): the central
 * directory at the end says where each entry is, so one entry is read at a time and a stored (uncompressed)
 * entry is handed out as a slice of the file without copying it. fflate's whole-archive `unzip` would need the
 * backup in memory, and its streaming `Unzip` finds the end of a stored entry by scanning for a signature that
 * image bytes may contain.
 */
import { inflateSync } from 'fflate';
import { crc32 } from '$lib/util/crc32';
import { errorMessage } from '$lib/util/error-message';

/** One entry of the central directory. */
export interface ZipEntry {
	name: string;
	/** 0 stored, 8 deflated. */
	compression: number;
	crc: number;
	compressedSize: number;
	size: number;
	localHeaderOffset: number;
}

/** Something about the archive is wrong: the message says what. */
export class ZipFormatError extends Error {
	override name = 'ZipFormatError';
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

async function bytesOf(blob: Blob): Promise<Uint8Array> {
	return new Uint8Array(await blob.arrayBuffer());
}

const u16 = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, i: number) => (u16(b, i) | (u16(b, i + 2) << 16)) >>> 0;

/** True when the blob starts like a zip archive (`PK\3\4`, or `PK\5\6` for an empty one). */
export async function looksLikeZip(blob: Blob): Promise<boolean> {
	const head = await bytesOf(blob.slice(0, 4));
	const sig = u32(head, 0);
	return head.length === 4 && (sig === LOCAL || sig === EOCD);
}

/** Lists the entries of a zip archive from its central directory. */
export async function readZipDirectory(blob: Blob): Promise<ZipEntry[]> {
	const tailStart = Math.max(0, blob.size - (22 + MAX_COMMENT));
	const tail = await bytesOf(blob.slice(tailStart));
	let eocd = -1;
	for (let i = tail.length - 22; i >= 0; i--) {
		if (u32(tail, i) === EOCD) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0)
		throw new ZipFormatError('it has no zip directory at its end (the file is cut short or damaged)');
	const count = u16(tail, eocd + 10);
	const dirSize = u32(tail, eocd + 12);
	const dirOffset = u32(tail, eocd + 16);
	if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff)
		throw new ZipFormatError('it is a ZIP64 archive, which Comfy Deck backups never are');
	if (dirOffset + dirSize > blob.size)
		throw new ZipFormatError('its zip directory points past the end of the file (the file is cut short)');
	const dir = await bytesOf(blob.slice(dirOffset, dirOffset + dirSize));
	const entries: ZipEntry[] = [];
	let p = 0;
	const decoder = new TextDecoder();
	for (let n = 0; n < count; n++) {
		if (u32(dir, p) !== CENTRAL) throw new ZipFormatError('its zip directory is damaged');
		const nameLength = u16(dir, p + 28);
		const entry: ZipEntry = {
			compression: u16(dir, p + 10),
			crc: u32(dir, p + 16),
			compressedSize: u32(dir, p + 20),
			size: u32(dir, p + 24),
			localHeaderOffset: u32(dir, p + 42),
			name: decoder.decode(dir.subarray(p + 46, p + 46 + nameLength))
		};
		entries.push(entry);
		p += 46 + nameLength + u16(dir, p + 30) + u16(dir, p + 32);
	}
	return entries;
}

async function dataStart(blob: Blob, entry: ZipEntry): Promise<number> {
	const header = await bytesOf(blob.slice(entry.localHeaderOffset, entry.localHeaderOffset + 30));
	if (u32(header, 0) !== LOCAL) throw new ZipFormatError(`the entry ${entry.name} is damaged`);
	const start = entry.localHeaderOffset + 30 + u16(header, 26) + u16(header, 28);
	if (start + entry.compressedSize > blob.size)
		throw new ZipFormatError(`the entry ${entry.name} runs past the end of the file (the file is cut short)`);
	return start;
}

/**
 * An entry's content as a Blob. A stored entry is a slice of the archive (no copy); a deflated one is inflated
 * into memory. The CRC is not checked here: `readZipEntryBytes` checks it, and images are checked by hash.
 */
export async function readZipEntryBlob(blob: Blob, entry: ZipEntry, type = ''): Promise<Blob> {
	const start = await dataStart(blob, entry);
	const raw = blob.slice(start, start + entry.compressedSize, type);
	if (entry.compression === 0) return raw;
	return new Blob([(await inflate(raw, entry)) as Uint8Array<ArrayBuffer>], { type });
}

/** An entry's bytes, with its CRC-32 checked. */
export async function readZipEntryBytes(blob: Blob, entry: ZipEntry): Promise<Uint8Array> {
	const start = await dataStart(blob, entry);
	const raw = blob.slice(start, start + entry.compressedSize);
	const bytes = entry.compression === 0 ? await bytesOf(raw) : await inflate(raw, entry);
	if (bytes.length !== entry.size || crc32(bytes) !== entry.crc)
		throw new ZipFormatError(`the entry ${entry.name} is damaged (its checksum does not match)`);
	return bytes;
}

async function inflate(raw: Blob, entry: ZipEntry): Promise<Uint8Array> {
	if (entry.compression !== 8)
		throw new ZipFormatError(
			`the entry ${entry.name} uses a compression method (${entry.compression}) Comfy Deck does not read`
		);
	try {
		return inflateSync(await bytesOf(raw), { out: new Uint8Array(entry.size) });
	} catch (error) {
		throw new ZipFormatError(`the entry ${entry.name} is damaged (${errorMessage(error)})`);
	}
}
