import 'fake-indexeddb/auto';
import { strFromU8, strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readBackup } from './backup';
import { entries, exported, populated, tampered } from './testing/backup-fixtures';

describe('bad files write nothing and say what is wrong', () => {
	async function refused(file: Blob, message: RegExp) {
		const result = await readBackup({ file });
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.message).toMatch(message);
			expect(result.message).toContain('Nothing was imported.');
		}
	}

	it('a PNG renamed .zip', async () => {
		await refused(
			new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])]),
			/not a Comfy Deck backup: it is a PNG image/
		);
	});

	it('an empty file, a JSON file, and random bytes', async () => {
		await refused(new Blob([]), /empty/);
		await refused(new Blob(['{"format":"comfy-deck-templates"}']), /JSON file.*Templates page/);
		await refused(new Blob(['hello world, no zip']), /not a zip archive/);
	});

	it('a zip cut short, and a zip of something else', async () => {
		const { db } = await populated();
		const { blob } = await exported(db);
		await refused(blob.slice(0, Math.floor(blob.size / 2)), /not a usable backup: .*(cut short|damaged)/);
		await refused(
			new Blob([zipSync({ 'readme.txt': strToU8('hi') }) as Uint8Array<ArrayBuffer>]),
			/no manifest\.json/
		);
	});

	it('a backup from a newer Comfy Deck', async () => {
		const { db } = await populated();
		const { blob, manifest } = await exported(db);
		const newer = await tampered(blob, {
			'manifest.json': strToU8(JSON.stringify({ ...manifest, version: 2 }))
		});
		await refused(newer, /newer Comfy Deck \(backup format 2; this one reads up to 1\)\. Update Comfy Deck/);
	});

	it('a record of the wrong shape, and an image whose bytes do not match their hash', async () => {
		const { db, hash } = await populated();
		const { blob } = await exported(db);
		const files = await entries(blob);
		const jobs = JSON.parse(strFromU8(files['jobs.json']!)) as Record<string, unknown>[];
		jobs[0]!.timings = { created: 'yesterday' };
		await refused(
			await tampered(blob, { 'jobs.json': strToU8(JSON.stringify(jobs)) }),
			/jobs\.json, record 1 \(job-1\): timings\.created/
		);
		await refused(
			await tampered(blob, {
				[`images/${hash}.png`]: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9, 9, 9])
			}),
			/do not match their hash/
		);
		await refused(await tampered(blob, { [`images/${hash}.png`]: undefined }), /is missing/);
	});

	it('a damaged entry (a flipped byte in the compressed jobs) fails its checksum', async () => {
		const { db } = await populated();
		const { blob } = await exported(db);
		const bytes = new Uint8Array(await blob.arrayBuffer());
		// The jobs.json entry follows the image and thumbnail: flip a byte inside its compressed data.
		const at = findName(bytes, 'jobs.json') + 'jobs.json'.length + 8;
		bytes[at] = (bytes[at] ?? 0) ^ 0xff;
		await refused(new Blob([bytes]), /(damaged|cannot read)/);
	});
});

function findName(bytes: Uint8Array, name: string): number {
	const target = strToU8(name);
	for (let i = 0; i < bytes.length; i++) {
		if (target.every((b, j) => bytes[i + j] === b)) return i;
	}
	throw new Error(`${name} not in the archive`);
}
