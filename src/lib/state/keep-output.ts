import type { JobImage } from '$lib/comfy';
import { kindOfOutputFile, mimeOfFilename } from '$lib/comfy/output-kind';
import type { DeckDb } from '$lib/storage/db';
import { putImage } from '$lib/storage/images';
import type { KeptImage } from '$lib/storage/jobs';
import { describeEviction, writeWithEviction } from '$lib/storage/quota';
import { probeMedia } from '$lib/util/media-probe';

/**
 * Stores one output file of a finished job in IndexedDB (its bytes, kind, size and duration) and returns what the
 * job's record keeps of it. Throws when its bytes cannot be had or written.
 * @param options.bytes the file's bytes (usually fetched already, when the socket named the file)
 * @param options.report told when a full quota emptied the result cache to make room
 */
export async function keepOutput(options: {
	db: DeckDb;
	output: JobImage;
	bytes: () => Promise<Blob>;
	report: (message: string) => void;
}): Promise<KeptImage> {
	const { db, output } = options;
	const blob = await options.bytes();
	// /view's content type is the server's last word on what the file is (m_media).
	const kind = kindOfOutputFile({
		filename: output.filename,
		format: output.format,
		animated: output.kind === 'animated',
		contentType: blob.type
	});
	const probe = await probeMedia({ blob, kind });
	// A full quota empties the result cache (never history) and retries once, and says so.
	const hash = await writeWithEviction(db, () => putImage(db, { blob, ...probe, kind }), {
		onEvicted: (info) => options.report(describeEviction(info))
	});
	return {
		...output,
		hash,
		kind,
		mime: blob.type || mimeOfFilename(output.filename),
		width: probe.width,
		height: probe.height,
		...(probe.duration !== undefined ? { duration: probe.duration } : {}),
		bytes: blob.size
	};
}
