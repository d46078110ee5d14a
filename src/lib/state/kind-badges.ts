// The words over a run's thumbnail for what a still frame hides (a video, a sound, a text, a file to download), shared
// by History's cards and the dashboard's recent runs so both say the same thing.
import { formatDuration } from '$lib/util/units';

const KIND_LABELS: Record<string, string> = {
	video: 'Video',
	animated: 'Animated',
	audio: 'Audio',
	text: 'Text',
	other: 'File'
};

/** The badges of a run's kinds (as `mediaOf` lists them), then the length of its first video or sound. */
export function kindBadges({ kinds, seconds }: { kinds?: readonly string[]; seconds?: number }): string[] {
	const labels = (kinds ?? []).map((k) => KIND_LABELS[k] ?? k);
	if (!labels.length) return [];
	return seconds !== undefined ? [...labels, formatDuration(seconds * 1000)] : labels;
}
