import { outputFileKey } from '$lib/comfy';
import { annotatedFileValue } from '$lib/comfy/workflow';
import type { DeckDb } from '$lib/storage/db';
import { getImage } from '$lib/storage/images';
import { extensionOfMime } from '$lib/util/result-file-name';
import type { FreshResult } from './fresh-results.svelte';

/** An image ready to show: object URLs of the original bytes and of the thumbnail. */
export interface ShownImage {
	/** The SHA-256 it is kept under; absent while it shows from its fresh bytes, before it is kept. */
	hash?: string;
	/** The original bytes (as `/view` returned them). */
	blob: Blob;
	url: string;
	filename: string;
	width?: number;
	height?: number;
	mime: string;
	/** `image`, `animated`, `video`, `audio` or `other`: which element shows it. */
	kind?: string;
	/** Seconds, for video and audio. */
	duration?: number;
	/** The browser could not decode it when it was kept: shown as a download with a note. */
	unplayable?: boolean;
	/** A sound's waveform, as kept with it. */
	peaks?: number[];
	/**
	 * A result saved in its server's output folder, as an input names it there (`video/a.mp4 [output]`, as
	 * m_media.json loads one back): "Use as input" on that server points at it instead of uploading a copy.
	 */
	saved?: { serverId: string; value: string };
}

/** A result shown from its fresh bytes (before it is kept): what the server named and the bytes' own facts. */
export function shownOfFresh(options: { result: FreshResult; url: string; serverId: string }): ShownImage {
	const { result, url, serverId } = options;
	const { output } = result;
	return {
		blob: result.blob,
		url,
		filename: output.filename,
		mime: result.mime,
		kind: result.kind,
		// A saved output, as an input names it there: "Use as input" on that server points at it.
		...(output.type === 'output' ? { saved: { serverId, value: annotatedFileValue(output) } } : {})
	};
}

/**
 * A run's results shown from their fresh bytes, by file: each is shown once, with one object URL, and keeps it (and
 * its element) as more files come and once the kept copy takes its place.
 */
export class FreshShown {
	#byFile = new Map<string, ShownImage>();

	/** The results as shown images, in their order; `urls` gets the object URL of each shown for the first time. */
	show(options: { fresh: readonly FreshResult[]; serverId: string; urls: string[] }): ShownImage[] {
		return options.fresh.map((result) => {
			const file = outputFileKey(result.output);
			const known = this.#byFile.get(file);
			if (known) return known;
			const url = URL.createObjectURL(result.blob);
			options.urls.push(url);
			const shown = shownOfFresh({ result, url, serverId: options.serverId });
			this.#byFile.set(file, shown);
			return shown;
		});
	}

	/** The image shown from this file's fresh bytes, if it was. */
	of(file: { filename?: string; subfolder?: string; type?: string } | undefined): ShownImage | undefined {
		return file && this.#byFile.get(outputFileKey(file));
	}

	/** Forgets them (a new run). */
	clear(): void {
		this.#byFile.clear();
	}
}

/** The kind, duration and playability a stored result carries (absent on results kept before kinds). */
export function mediaFieldsOf(stored: {
	kind?: string;
	duration?: number;
	unplayable?: boolean;
	peaks?: number[];
}): Pick<ShownImage, 'kind' | 'duration' | 'unplayable' | 'peaks'> {
	return {
		...(stored.kind ? { kind: stored.kind } : {}),
		...(stored.duration !== undefined ? { duration: stored.duration } : {}),
		...(stored.unplayable ? { unplayable: true } : {}),
		...(stored.peaks?.length ? { peaks: stored.peaks } : {})
	};
}

/**
 * A job's kept results read from IndexedDB, or null when one of them is not kept (yet). Each has a new object URL,
 * which the caller frees.
 */
export async function loadKeptImages(options: {
	db: DeckDb;
	kept: { hash?: string; filename?: string; subfolder?: string; type?: string }[];
	/** The server the job ran on. */
	serverId?: string;
}): Promise<ShownImage[] | null> {
	const { db, kept, serverId } = options;
	const shown: ShownImage[] = [];
	for (const image of kept) {
		const stored = image.hash ? await getImage(db, image.hash) : undefined;
		if (!image.hash || !stored) {
			for (const done of shown) URL.revokeObjectURL(done.url);
			return null;
		}
		shown.push({
			hash: image.hash,
			blob: stored.blob,
			url: URL.createObjectURL(stored.blob),
			// Named by its hash when its name is not known (a cache hit whose run was deleted), typed by its bytes.
			filename: image.filename ?? `${image.hash.slice(0, 12)}.${extensionOfMime(stored.mime)}`,
			width: stored.width,
			height: stored.height,
			mime: stored.mime,
			...mediaFieldsOf(stored),
			...(serverId && image.type === 'output' && image.filename
				? { saved: { serverId, value: annotatedFileValue({ ...image, filename: image.filename }) } }
				: {})
		});
	}
	return shown;
}
