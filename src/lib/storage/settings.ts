import type { DeckDb, SettingsValues } from './db';
import { reportUnreadable } from './unreadable';

/** Defaults for a first start. */
export const DEFAULT_SETTINGS: SettingsValues = {
	logLevel: 'info',
	theme: 'system',
	cacheMaxMb: 500,
	userInitials: '',
	queueMaxInFlight: 2,
	queueThreshold: 8,
	queueRate: 10,
	queueBurst: 4
};

// What a stored value must be; one that is not (a damaged record, a value an older build allowed) is reported
// and its default used, so the app still starts.
// Plain predicates, not schemas: a few numbers and words, and the landing route reads them before it shows.
const oneOf =
	<const T extends string>(...values: T[]) =>
	(value: unknown): value is T =>
		(values as unknown[]).includes(value);
const intIn =
	(min: number, max = Number.MAX_SAFE_INTEGER) =>
	(value: unknown): value is number =>
		Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
const SETTING_CHECKS: { [K in keyof SettingsValues]: (value: unknown) => value is SettingsValues[K] } = {
	logLevel: oneOf('debug', 'info', 'warn', 'error'),
	theme: oneOf('system', 'light', 'dark'),
	cacheMaxMb: intIn(0),
	userInitials: (value): value is string => typeof value === 'string',
	queueMaxInFlight: intIn(1, 64),
	queueThreshold: intIn(0),
	queueRate: (value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0,
	queueBurst: intIn(1)
};

/**
 * All settings, with defaults for the ones never saved (or unreadable).
 * @param db the open database.
 */
export async function loadSettings(db: DeckDb): Promise<SettingsValues> {
	const tx = db.transaction('settings');
	const read = async <K extends keyof SettingsValues>(key: K): Promise<SettingsValues[K]> => {
		const value: unknown = await tx.store.get(key);
		if (value === undefined) return DEFAULT_SETTINGS[key];
		if (SETTING_CHECKS[key](value)) return value;
		reportUnreadable(db, { store: 'settings', key, problem: `a ${typeof value} that is not a valid ${key}` });
		return DEFAULT_SETTINGS[key];
	};
	const settings: SettingsValues = { ...DEFAULT_SETTINGS };
	const keys = Object.keys(DEFAULT_SETTINGS) as (keyof SettingsValues)[];
	await Promise.all(keys.map(async (key) => assign(settings, key, await read(key))));
	await tx.done;
	return settings;
}

function assign<K extends keyof SettingsValues>(
	target: SettingsValues,
	key: K,
	value: SettingsValues[K]
): void {
	target[key] = value;
}

/**
 * Saves one setting.
 * @param db the open database.
 * @param key which setting.
 * @param value its new value.
 */
export async function saveSetting<K extends keyof SettingsValues>(
	db: DeckDb,
	key: K,
	value: SettingsValues[K]
): Promise<void> {
	await db.put('settings', value, key);
}
