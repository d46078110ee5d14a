// Which results of two runs History's comparison sets side by side.
import { inputKindOfResult } from './use-as-input';

type Comparable = { hash?: string; filename: string; kind?: string; mime?: string; unplayable?: boolean };

/** What two runs can be compared by: their pictures (still or animated), or their videos. */
export type ComparedKind = 'IMAGE' | 'VIDEO';

/**
 * Each kind both runs kept a result of, with each run's first result of that kind (a still frame beside a moving
 * one tells nothing, so a picture is only set beside a picture). Videos come first: a run that made a video was most
 * likely made for it, its picture being a frame, a poster or the start image. Empty when they share neither.
 */
export function comparedResults<T extends Comparable>(
	mine: { app?: { images?: readonly T[] } },
	other: { app?: { images?: readonly T[] } }
): { kind: ComparedKind; mine: T; other: T }[] {
	const out: { kind: ComparedKind; mine: T; other: T }[] = [];
	for (const kind of ['VIDEO', 'IMAGE'] as const) {
		const first = (job: typeof mine) => job.app?.images?.find((i) => i.hash && inputKindOfResult(i) === kind);
		const a = first(mine);
		const b = first(other);
		if (a && b) out.push({ kind, mine: a, other: b });
	}
	return out;
}
