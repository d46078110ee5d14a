/**
 * The last values of each template's generate form, so leaving the page (the menu, a reload) loses nothing and
 * opening the template again brings them back. One record per template, replaced on every change.
 */
import type { FormValues, ParameterValue, SeedMode } from '$lib/comfy/workflow';
import type { DeckDb } from './db';

/** A template's remembered form. */
export interface RememberedForm {
	templateId: string;
	values: FormValues;
	seedModes: Record<string, SeedMode>;
	updatedAt: number;
}

const SEED_MODES: readonly string[] = ['fixed', 'random', 'increment'];

function isParameterValue(v: unknown): v is ParameterValue {
	return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** The remembered form of a template, or undefined; values of a kind no form holds are dropped. */
export async function getRememberedForm(db: DeckDb, templateId: string): Promise<RememberedForm | undefined> {
	const record = await db.get('formValues', templateId);
	if (!record) return undefined;
	const values: FormValues = {};
	for (const [k, v] of Object.entries(record.values ?? {})) if (isParameterValue(v)) values[k] = v;
	const seedModes: Record<string, SeedMode> = {};
	for (const [k, v] of Object.entries(record.seedModes ?? {}))
		if (SEED_MODES.includes(v)) seedModes[k] = v as SeedMode;
	return { templateId, values, seedModes, updatedAt: record.updatedAt };
}

/** Replaces a template's remembered form. */
export async function rememberForm(
	db: DeckDb,
	{
		templateId,
		values,
		seedModes,
		now = Date.now()
	}: { templateId: string; values: FormValues; seedModes: Record<string, SeedMode>; now?: number }
): Promise<void> {
	await db.put('formValues', {
		templateId,
		values: { ...values },
		seedModes: { ...seedModes },
		updatedAt: now
	});
}

/** Forgets a template's form (the template was deleted). */
export async function forgetForm(db: DeckDb, templateId: string): Promise<void> {
	await db.delete('formValues', templateId);
}
