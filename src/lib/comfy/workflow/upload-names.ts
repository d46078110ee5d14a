// Naming helpers shared by the image and media upload checks (not part of the workflow core's public surface).

/** The last part of a path, whichever separator it uses. */
export function baseName(name: string): string {
	return name.split(/[\\/]/).pop() ?? '';
}

/**
 * A file name safe to send as an upload: no path parts or control characters, and one of `extensions` (the first
 * is added when the name has none of them), so the server lists it with the right kind of files.
 */
export function safeUploadName(name: string, extensions: readonly string[], fallback: string): string {
	const first = extensions[0] ?? 'bin';
	let base = baseName(name)
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f:*?"<>|]/g, '_')
		.replace(/^[.\s]+/, '')
		.trim();
	const ext = /\.([A-Za-z0-9]+)$/.exec(base)?.[1]?.toLowerCase();
	if (!ext || !extensions.includes(ext)) base = `${base || fallback}.${first}`;
	if (base.length > 150) base = `${base.slice(0, 140)}.${first}`;
	return base;
}

/** A size for people: `12 kB`, `3.4 MB`. */
export function formatSize(n: number): string {
	const mb = n / (1024 * 1024);
	return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}
