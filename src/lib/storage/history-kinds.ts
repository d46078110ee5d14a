// What a History card says about a run's results beyond its thumbnail: a badge per kind and a length.
import type { StoredJob } from './stored-job';

// The order badges name kinds in: what moves first.
const BADGE_KINDS = ['video', 'animated', 'audio', 'text', 'other'];

/** The kinds a run made besides still images, and the length of its first video (else of its first audio file). */
export function mediaOf(job: StoredJob): { kinds?: string[]; mediaSeconds?: number } {
	const images = job.app.images ?? [];
	const found = new Set<string>(images.map((i) => i.kind ?? 'image'));
	if (Object.values(job.texts ?? {}).some((values) => values.length)) found.add('text');
	const kinds = BADGE_KINDS.filter((k) => found.has(k));
	const timed = (kind: string) => images.find((i) => i.kind === kind && i.duration)?.duration;
	const seconds = timed('video') ?? timed('audio');
	return {
		...(kinds.length ? { kinds } : {}),
		...(seconds !== undefined ? { mediaSeconds: seconds } : {})
	};
}

/**
 * The result a card shows: the first picture or video (it has a frame), else the first kept file (a sound gets
 * the placeholder, and the viewer still opens on it).
 */
export function thumbHashOf(images: readonly { hash?: string; kind?: string }[]): string | undefined {
	const framed = images.find((i) => i.hash && ['image', 'animated', 'video'].includes(i.kind ?? 'image'));
	return (framed ?? images.find((i) => i.hash))?.hash;
}
