import type { HistoryFilter } from '$lib/storage/history';

export const HISTORY_ROUTE = '#/history';

/** The gallery's filters as the URL keeps them: text, with dates as `YYYY-MM-DD` (local days). */
export interface HistoryQuery {
	template?: string;
	status?: string;
	server?: string;
	from?: string;
	to?: string;
	tag?: string;
	style?: string;
	q?: string;
}

/** Every status a job can have, in the order the filter offers them. */
export const STATUSES = [
	'succeeded',
	'failed',
	'interrupted',
	'lost',
	'running',
	'queued',
	'pending'
] as const;

/** A status as people read it. */
export function statusLabel(status: string): string {
	const labels: Record<string, string> = {
		succeeded: 'Done',
		failed: 'Failed',
		interrupted: 'Interrupted',
		lost: 'Lost',
		running: 'Running',
		queued: 'Queued',
		pending: 'Pending'
	};
	return labels[status] ?? status;
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const shortWhen = new Intl.DateTimeFormat(undefined, {
	month: 'short',
	day: 'numeric',
	hour: 'numeric',
	minute: '2-digit'
});
const thisYear = new Date().getFullYear();

/** A job's date and time in full (one shared formatter: 10,000 cards must not each build one). */
export function formatWhen(t: number): string {
	return when.format(t);
}

/** A job's time as a card shows it: without the year when it is this year's. */
export function formatShortWhen(t: number): string {
	return new Date(t).getFullYear() === thisYear ? shortWhen.format(t) : when.format(t);
}

const QUERY_KEYS = ['template', 'status', 'server', 'from', 'to', 'tag', 'style', 'q'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters of a `#/history?…` fragment (or whole URL); unknown keys and malformed dates are ignored. */
export function parseHistoryQuery(hash: string): HistoryQuery {
	const fragment = hash.includes('#') ? hash.slice(hash.indexOf('#') + 1) : hash;
	const q = fragment.indexOf('?');
	if (q === -1) return {};
	const params = new URLSearchParams(fragment.slice(q + 1));
	const query: HistoryQuery = {};
	for (const key of QUERY_KEYS) {
		const value = params.get(key)?.trim();
		if (!value) continue;
		if ((key === 'from' || key === 'to') && !DAY.test(value)) continue;
		query[key] = value;
	}
	return query;
}

/** The fragment of a filtered gallery (bookmarkable): `#/history?status=failed&tag=sky`. */
export function historyHash(query: HistoryQuery): string {
	const params = new URLSearchParams();
	for (const key of QUERY_KEYS) {
		const value = query[key];
		if (value) params.set(key, value);
	}
	const text = params.toString();
	return text ? `${HISTORY_ROUTE}?${text}` : HISTORY_ROUTE;
}

/** The storage filter of a URL query: days become the local day's first and last millisecond. */
export function toFilter(query: HistoryQuery): HistoryFilter {
	const day = (text: string | undefined, end: boolean) => {
		if (!text) return undefined;
		const [y, m, d] = text.split('-').map(Number) as [number, number, number];
		const t = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
		return Number.isNaN(t.getTime()) ? undefined : t.getTime();
	};
	return {
		...(query.template ? { templateId: query.template } : {}),
		...(query.status ? { status: query.status } : {}),
		...(query.server ? { serverId: query.server } : {}),
		...(query.tag ? { tag: query.tag } : {}),
		...(query.style ? { style: query.style } : {}),
		...(query.q ? { text: query.q } : {}),
		...(query.from ? { from: day(query.from, false) } : {}),
		...(query.to ? { to: day(query.to, true) } : {})
	};
}
