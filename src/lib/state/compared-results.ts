// Which results of two runs History's comparison sets side by side.
import { inputKindOfResult } from './use-as-input';

type Comparable = { hash?: string; filename: string; kind?: string; mime?: string; unplayable?: boolean };

/**
 * The kept results two runs are compared by: their first pictures, else their first videos (a still frame beside a
 * moving one tells nothing); undefined when they share neither.
 */
export function comparedResults<T extends Comparable>(
	mine: { app?: { images?: readonly T[] } },
	other: { app?: { images?: readonly T[] } }
): { mine: T; other: T } | undefined {
	for (const kind of ['IMAGE', 'VIDEO'] as const) {
		const first = (job: typeof mine) => job.app?.images?.find((i) => i.hash && inputKindOfResult(i) === kind);
		const a = first(mine);
		const b = first(other);
		if (a && b) return { mine: a, other: b };
	}
	return undefined;
}
