import { QueryClient } from '@tanstack/svelte-query';

/**
 * The app's one query client. Retries are not the query client's business here: a failed check backs off through
 * its own poll interval (`retryDelayMs`), per server, so a dead server sees a handful of requests a minute. Queries
 * stop while the tab is hidden and run at once when it is shown again or the browser comes back online.
 * `networkMode: 'always'`: a ComfyUI on this machine or the LAN answers even when the browser says it is offline.
 */
export function createDeckQueryClient(): QueryClient {
	return new QueryClient({
		defaultOptions: {
			queries: {
				retry: false,
				networkMode: 'always',
				refetchOnWindowFocus: true,
				refetchOnReconnect: true,
				refetchIntervalInBackground: false,
				gcTime: 30 * 60_000
			},
			mutations: { retry: false, networkMode: 'always' }
		}
	});
}
