import * as z from 'zod/mini';
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
const SETTING_SCHEMAS: { [K in keyof SettingsValues]: z.ZodMiniType<SettingsValues[K]> } = {
	logLevel: z.enum(['debug', 'info', 'warn', 'error']),
	theme: z.enum(['system', 'light', 'dark']),
	cacheMaxMb: z.number().check(z.int(), z.minimum(0)),
	userInitials: z.string(),
	queueMaxInFlight: z.number().check(z.int(), z.minimum(1), z.maximum(64)),
	queueThreshold: z.number().check(z.int(), z.minimum(0)),
	queueRate: z.number().check(z.minimum(0)),
	queueBurst: z.number().check(z.int(), z.minimum(1))
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
		const parsed = SETTING_SCHEMAS[key].safeParse(value);
		if (parsed.success) return parsed.data;
		reportUnreadable(db, { store: 'settings', key, problem: `a ${typeof value} that is not a valid ${key}` });
		return DEFAULT_SETTINGS[key];
	};
	const keys = Object.keys(DEFAULT_SETTINGS) as (keyof SettingsValues)[];
	const values = await Promise.all(keys.map((key) => read(key)));
	await tx.done;
	return Object.fromEntries(keys.map((key, i) => [key, values[i]])) as unknown as SettingsValues;
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
