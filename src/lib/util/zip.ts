import { zipSync, type Zippable } from 'fflate';

/** A file to put in a zip archive. */
export interface ZipInput {
	/** Wanted name; made safe and unique inside the archive. */
	name: string;
	bytes: Uint8Array;
	/** Modification time written into the archive. */
	date?: Date;
}

/**
 * A file name safe to extract anywhere: no folders (no `../` escapes), no characters Windows refuses, no control
 * characters, not hidden, and not empty.
 */
export function safeFileName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const clean = base
		// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
		.replace(/[<>:"|?*\u0000-\u001f\u007f]/g, '_')
		.replace(/^[.\s]+/, '')
		.trim();
	return clean.slice(-180) || 'file';
}

/** Names made unique (case-insensitively, as on Windows and macOS): `a.png`, `a (2).png`, `a (3).png`… */
export function uniqueNames(names: readonly string[]): string[] {
	const taken = new Set<string>();
	return names.map((wanted) => {
		const dot = wanted.lastIndexOf('.');
		const stem = dot > 0 ? wanted.slice(0, dot) : wanted;
		const ext = dot > 0 ? wanted.slice(dot) : '';
		let name = wanted;
		for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${stem} (${i})${ext}`;
		taken.add(name.toLowerCase());
		return name;
	});
}

/**
 * A zip archive of the files, stored as they are (no recompression: PNGs are compressed already, and their bytes,
 * with ComfyUI's embedded prompt and workflow, must come out identical).
 */
export function zipFiles(files: readonly ZipInput[]): Uint8Array {
	const names = uniqueNames(files.map((f) => safeFileName(f.name)));
	const entries: Zippable = {};
	files.forEach((file, i) => {
		entries[names[i]!] = [file.bytes, { level: 0, ...(file.date ? { mtime: file.date } : {}) }];
	});
	return zipSync(entries);
}

/** `zipFiles` as a Blob to download. */
export function zipBlob(files: readonly ZipInput[]): Blob {
	return new Blob([new Uint8Array(zipFiles(files))], { type: 'application/zip' });
}
