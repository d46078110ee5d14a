// The history gallery with 2,000 runs of which 500 made a video (issue 17): cards show the video's stored frame, so
// the targets are the image gallery's (first thumbnails ≤ 200 ms, scroll p95 ≤ 16.7 ms).
import { measureGallery } from './gallery.bench';

export const name = 'history gallery with videos';

export function run() {
	return measureGallery({ records: 2_000, videoEvery: 4 });
}
