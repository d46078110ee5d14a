// Unit conversion and formatting for the dashboard. ComfyUI reports sizes in bytes; people read GiB.

const KIB = 1024;
/** Bytes in a MiB (the cache size setting is in these). */
export const MIB = KIB * 1024;
const GIB = MIB * 1024;

/** Bytes as GiB (what the charts plot); `undefined` stays `undefined` so a gap shows as a gap. */
export function bytesToGiB(bytes: number | undefined): number | undefined {
	return bytes === undefined || !Number.isFinite(bytes) ? undefined : bytes / GIB;
}

/** A size for people: `23.5 GiB`, `512 MiB`, `12 KiB`, `800 B`; `–` when unknown. */
export function formatBytes(bytes: number | undefined): string {
	if (bytes === undefined || !Number.isFinite(bytes)) return '–';
	const sign = bytes < 0 ? '-' : '';
	const n = Math.abs(bytes);
	if (n >= GIB) return `${sign}${trim(n / GIB)} GiB`;
	if (n >= MIB) return `${sign}${trim(n / MIB)} MiB`;
	if (n >= KIB) return `${sign}${trim(n / KIB)} KiB`;
	return `${sign}${Math.round(n)} B`;
}

/** A chart value in GiB for an axis or legend: `0`, `512 MiB`, `3.5 GiB`, `24 GiB`. */
export function formatGiB(gib: number): string {
	if (!(gib > 0)) return '0';
	if (gib < 1) return `${Math.round(gib * 1024)} MiB`;
	return `${gib >= 10 ? Math.round(gib) : Math.round(gib * 10) / 10} GiB`;
}

/** `part` as a percentage of `total` (0–100), or undefined when the total is unknown or zero. */
export function percent(part: number | undefined, total: number | undefined): number | undefined {
	if (part === undefined || total === undefined || !Number.isFinite(part) || !(total > 0)) return undefined;
	return Math.min(100, Math.max(0, (part / total) * 100));
}

/** `42 %`, `0.4 %` below one percent, `–` when unknown. */
export function formatPercent(value: number | undefined): string {
	if (value === undefined) return '–';
	return value > 0 && value < 1 ? `${value.toFixed(1)} %` : `${Math.round(value)} %`;
}

/** A duration for people: `850 ms`, `4.2 s`, `2 min 5 s`, `1 h 3 min`; `–` when unknown. */
export function formatDuration(ms: number | undefined): string {
	if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 60_000) return `${trim(ms / 1000)} s`;
	const totalSeconds = Math.round(ms / 1000);
	if (totalSeconds < 3600) {
		const s = totalSeconds % 60;
		return `${Math.floor(totalSeconds / 60)} min${s ? ` ${s} s` : ''}`;
	}
	const minutes = Math.floor(totalSeconds / 60);
	const m = minutes % 60;
	return `${Math.floor(minutes / 60)} h${m ? ` ${m} min` : ''}`;
}

// One decimal below 100, none above: 23.5 GiB, 128 GiB.
function trim(value: number): string {
	return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** The largest cache size people may set, in MB. */
/**
 * A clock time in the user's locale, as the charts' time axes show it (hours and minutes, 2 digits), with the
 * seconds for a reading that changes every few seconds ("Updated"): one format across the dashboard.
 */
export function formatClockTime(ms: number, options: { seconds?: boolean } = {}): string {
	return new Date(ms).toLocaleTimeString([], {
		hour: '2-digit',
		minute: '2-digit',
		...(options.seconds ? { second: '2-digit' } : {})
	});
}

export const MAX_CACHE_MB = 1_000_000;

/** Reads a typed cache size (whole MB, 0 for no cache), or says what is wrong with it. */
export function parseCacheLimit(text: string): { ok: true; mb: number } | { ok: false; message: string } {
	const mb = Number(text);
	if (text.trim() === '' || !Number.isInteger(mb) || mb < 0 || mb > MAX_CACHE_MB) {
		return {
			ok: false,
			message: `"${text}" is not a size: give a whole number of MB from 0 (no cache) to ${MAX_CACHE_MB}.`
		};
	}
	return { ok: true, mb };
}
