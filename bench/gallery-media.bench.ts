// The history gallery with 2,000 runs of which 500 made a video and 500 a sound (issue 17): video cards show the
// stored frame, sound cards their stored waveform, both with their kind badge and length, so the targets are the image
// gallery's (first thumbnails ≤ 200 ms, scroll p95 ≤ 16.7 ms).
import { measureGallery } from './gallery.bench';

export const name = 'history gallery with videos and sounds';

export function run() {
	return measureGallery({ records: 2_000, videoEvery: 4, audioEvery: 4 });
}
