import { createContext } from 'svelte';
import type { AppState } from './app.svelte';

/** The app state, set once by the root layout and read by every page. */
export const [getAppState, setAppState] = createContext<AppState>();
