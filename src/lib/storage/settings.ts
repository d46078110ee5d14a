import type { DeckDb, SettingsValues } from './db';

/** Defaults for a first start. */
export const DEFAULT_SETTINGS: SettingsValues = {
	logLevel: 'info',
	theme: 'system',
	cacheMaxMb: 500,
	userInitials: ''
};

/** All settings, with defaults for the ones never saved. */
export async function loadSettings(db: DeckDb): Promise<SettingsValues> {
	const tx = db.transaction('settings');
	const keys = Object.keys(DEFAULT_SETTINGS) as (keyof SettingsValues)[];
	const values = await Promise.all(keys.map((key) => tx.store.get(key)));
	await tx.done;
	const result: Record<string, unknown> = { ...DEFAULT_SETTINGS };
	keys.forEach((key, i) => {
		if (values[i] !== undefined) result[key] = values[i];
	});
	return result as unknown as SettingsValues;
}

/** Saves one setting. */
export async function saveSetting<K extends keyof SettingsValues>(
	db: DeckDb,
	key: K,
	value: SettingsValues[K]
): Promise<void> {
	await db.put('settings', value, key);
}
