import type { FormValues, Template } from '$lib/comfy/workflow';
import type { ServerView } from './app.svelte';

/** What one Generate sends: a template's form values on a server. */
export interface GenerateOptions {
	template: Template;
	values: FormValues;
	server: ServerView;
	/** Skips the result cache ("Run anyway"). */
	force?: boolean;
	/** The run's style label (free text; stored with the job, filterable in History). */
	style?: string;
	onnodeerrors?: (nodeErrors: unknown) => void;
	/**
	 * Called at once when the run took the form's values (not when they have a problem): the form moves its seeds
	 * here, so Generate pressed again before this run is queued sends the next seed, not the same prompt twice.
	 */
	onsent?: () => void;
}
