import type { AppState } from './app.svelte';
import type { TemplatesState } from './templates.svelte';

let loading: { app: AppState; state: Promise<TemplatesState> } | undefined;

/**
 * The app's templates state, made on first need (the views that show or run templates wait for it in
 * TemplatesGate): its code, the template schemas and storage are not part of the landing route's first load.
 * Reading the stored templates starts once the app has started, as before.
 */
export function loadTemplatesState(app: AppState): Promise<TemplatesState> {
	if (loading?.app !== app) {
		const state = import('./templates.svelte').then(({ TemplatesState }) => {
			const templates = new TemplatesState({ app, db: app.db });
			void app.whenStarted.then(() => templates.load());
			return templates;
		});
		loading = { app, state };
	}
	return loading.state;
}
