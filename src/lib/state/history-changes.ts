/** How many history changes are remembered: a view further behind than that reads everything again. */
const KEPT = 200;

/**
 * What the recent history changes of this tab were about: each `historyVersion` with the jobs it concerned, or
 * null when that is not known. Views that follow the version ask which jobs changed since the one they last read.
 */
export class HistoryChanges {
	#entries: { version: number; ids: readonly string[] | null }[] = [];

	/** Records the change that made `version` (null ids: not known which jobs). */
	add(version: number, ids: readonly string[] | null): void {
		this.#entries.push({ version, ids });
		if (this.#entries.length > KEPT) this.#entries.splice(0, this.#entries.length - KEPT);
	}

	/**
	 * The ids of the jobs changed after `version` up to `current` (each once), or null when one of those changes is
	 * not known or no longer remembered.
	 */
	since(version: number, current: number): readonly string[] | null {
		if (version >= current) return [];
		const first = this.#entries[0];
		// Versions are consecutive: the oldest remembered must be the one right after `version`, or some were lost.
		if (!first || first.version > version + 1) return null;
		const ids = new Set<string>();
		for (const entry of this.#entries) {
			if (entry.version <= version) continue;
			if (!entry.ids) return null;
			for (const id of entry.ids) ids.add(id);
		}
		return [...ids];
	}
}
