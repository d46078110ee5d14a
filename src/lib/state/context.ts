import { createContext } from 'svelte';
import type { AppState } from './app.svelte';
import type { DispatchLoader } from './dispatch-loader.svelte';
import type { TemplatesState } from './templates.svelte';

/** The app state, set once by the root layout and read by every page. */
export const [getAppState, setAppState] = createContext<AppState>();

/** Templates, their versions and presets, set once by the root layout. */
export const [getTemplatesState, setTemplatesState] = createContext<TemplatesState>();

/**
 * The browser queue (batches and grids waiting for a server), set once by the root layout: loaded when a view
 * needs it (`load()`, then `current`).
 */
export const [getDispatchLoader, setDispatchLoader] = createContext<DispatchLoader>();
