// Which results of two runs History's comparison sets side by side.
import { inputKindOfResult } from './use-as-input';

type Comparable = { hash?: string; filename: string; kind?: string; mime?: string; unplayable?: boolean };

/** What two runs can be compared by: their videos, their sounds, or their pictures (still or animated). */
export type ComparedKind = 'VIDEO' | 'AUDIO' | 'IMAGE';

/**
 * Each kind both runs kept a result of, with each run's first result of that kind (a still frame beside a moving
 * one tells nothing, so a picture is only set beside a picture). Videos come first, then sounds: a run that made a
 * video or a sound was most likely made for it, its picture being a frame, a poster, a cover or the start image.
 * Empty when they share none.
 */
export function comparedResults<T extends Comparable>(
	mine: { app?: { images?: readonly T[] } },
	other: { app?: { images?: readonly T[] } }
): { kind: ComparedKind; mine: T; other: T }[] {
	const out: { kind: ComparedKind; mine: T; other: T }[] = [];
	for (const kind of ['VIDEO', 'AUDIO', 'IMAGE'] as const) {
		const first = (job: typeof mine) => job.app?.images?.find((i) => i.hash && inputKindOfResult(i) === kind);
		const a = first(mine);
		const b = first(other);
		if (a && b) out.push({ kind, mine: a, other: b });
	}
	return out;
}
