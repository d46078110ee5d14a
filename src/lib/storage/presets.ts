/**
 * Presets: named parameter sets of one template, in IndexedDB. At most one per template is the default (what
 * the form starts with when its URL names no values).
 */
import type { FormValues, ParameterValue } from '$lib/comfy/workflow';
import type { DeckDb, StoredPreset } from './db';

/** A named set of form values. */
export interface Preset {
	id: string;
	templateId: string;
	name: string;
	values: FormValues;
	isDefault: boolean;
	updatedAt: number;
}

function isParameterValue(v: unknown): v is ParameterValue {
	return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function readPreset(record: StoredPreset): Preset {
	const values: FormValues = {};
	for (const [k, v] of Object.entries(record.values ?? {})) if (isParameterValue(v)) values[k] = v;
	return {
		id: record.id,
		templateId: record.templateId,
		name: record.name,
		values,
		isDefault: record.isDefault === true,
		updatedAt: record.updatedAt
	};
}

/** A template's presets, by name. */
export async function listPresets(db: DeckDb, templateId: string): Promise<Preset[]> {
	const all = await db.getAllFromIndex('presets', 'byTemplate', templateId);
	return all.map(readPreset).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Adds or replaces a preset (a preset with the same name in the same template is replaced, so saving "Portrait"
 * twice updates it). Making it the default clears the flag on the others, in the same transaction.
 */
export async function savePreset(
	db: DeckDb,
	{
		templateId,
		name,
		values,
		isDefault = false,
		now = Date.now()
	}: { templateId: string; name: string; values: FormValues; isDefault?: boolean; now?: number }
): Promise<Preset> {
	const clean = name.trim().slice(0, 100);
	if (!clean) throw new Error('A preset needs a name.');
	const tx = db.transaction('presets', 'readwrite');
	const siblings = await tx.store.index('byTemplate').getAll(templateId);
	const same = siblings.find((p) => p.name === clean);
	const preset: StoredPreset = {
		id: same?.id ?? crypto.randomUUID(),
		templateId,
		name: clean,
		values: { ...values },
		isDefault: isDefault || (same?.isDefault ?? false),
		updatedAt: now
	};
	if (isDefault) {
		for (const p of siblings)
			if (p.isDefault && p.id !== preset.id) await tx.store.put({ ...p, isDefault: false });
	}
	await tx.store.put(preset);
	await tx.done;
	return readPreset(preset);
}

/** Makes one preset the default of its template, or none with `presetId: null`. */
export async function setDefaultPreset(
	db: DeckDb,
	{ templateId, presetId }: { templateId: string; presetId: string | null }
): Promise<void> {
	const tx = db.transaction('presets', 'readwrite');
	for (const p of await tx.store.index('byTemplate').getAll(templateId)) {
		const should = p.id === presetId;
		if ((p.isDefault === true) !== should) await tx.store.put({ ...p, isDefault: should });
	}
	await tx.done;
}

/** Removes one preset. */
export async function deletePreset(db: DeckDb, id: string): Promise<void> {
	await db.delete('presets', id);
}
