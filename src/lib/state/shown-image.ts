import { annotatedFileValue } from '$lib/comfy/workflow';
import type { FreshResult } from './fresh-results.svelte';

/** An image ready to show: object URLs of the original bytes and of the thumbnail. */
export interface ShownImage {
	hash: string;
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
		hash: result.hash,
		blob: result.blob,
		url,
		filename: output.filename,
		mime: result.mime,
		kind: result.kind,
		// A saved output, as an input names it there: "Use as input" on that server points at it.
		...(output.type === 'output' ? { saved: { serverId, value: annotatedFileValue(output) } } : {})
	};
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
