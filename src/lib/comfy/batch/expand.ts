/**
 * A batch or grid as the user built it → the list of items to run, in a stable order, each with its coordinates
 * and the full form values it runs with (turn one into an API prompt with `applyParameters`).
 */
import { nextSeed } from '../workflow/apply-parameters';
import type { FormValues, ParameterDef, ParameterValue, SeedMode } from '../workflow/parameter-def';
import { quote } from '../workflow/types';
import { resolveAxis, type AxisName, type AxisSpec, type ResolvedAxis } from './axes';
import type { BatchIssue, ValueRows } from './values';

/** Past this many items the user is asked before anything is queued. */
export const CONFIRM_ABOVE = 100;
/** The most items one batch may make (a guard against a typo like a step of 0.0001). */
export const MAX_BATCH_ITEMS = 10_000;

export interface BatchPlan {
	parameters: ParameterDef[];
	/** The form's values; parameters missing here use their defaults. */
	values: FormValues;
	/** Repeat every combination this many times (default 1). */
	count?: number;
	/**
	 * How seeds move between repeats: the first repeat runs the form's seed, the next ones keep it (`fixed`), add
	 * one each (`increment`) or draw a new one (`random`). Default: each seed parameter's own mode. A seed on an
	 * axis or in the list takes its values from there instead.
	 */
	seedMode?: SeedMode;
	/** Which parameters are seeds (default: those with a `seedMode`). */
	seedParameterIds?: string[];
	/** A list or CSV: one run per row (see `parseValueLines`, `parseValueCsv`). */
	rows?: ValueRows;
	/** X (columns), Y (rows) and Z (one grid per value). */
	axes?: Partial<Record<AxisName, AxisSpec>>;
	random01?: () => number;
	/** Refuse plans larger than this (default `MAX_BATCH_ITEMS`). */
	maxItems?: number;
}

/** Where an item sits: 0 on dimensions the plan does not use. */
export interface BatchCoords {
	z: number;
	y: number;
	x: number;
	/** Row of the list / CSV. */
	row: number;
	/** Repeat number (batch count). */
	repeat: number;
}

export interface BatchItem {
	/** Position in the order items are queued. */
	index: number;
	/** Stable within the plan: `z0-y1-x2-r0-n0`. */
	key: string;
	coords: BatchCoords;
	/** Every parameter's value for this run (form values, then defaults, then this item's own values). */
	values: FormValues;
	/** Only the values this item sets itself (axes, list row, seed): what its label shows. */
	overrides: FormValues;
}

export interface Expansion {
	items: BatchItem[];
	total: number;
	/** More than `CONFIRM_ABOVE` items: ask before queueing. */
	needsConfirmation: boolean;
	axes: Partial<Record<AxisName, ResolvedAxis>>;
	/** Sizes of each dimension, in nesting order (z outermost, repeats innermost). */
	shape: BatchCoords;
}

export type ExpandResult = ({ ok: true } & Expansion) | { ok: false; issues: BatchIssue[] };

/** Expands a plan, or lists every problem with it (nothing is half built). */
export function expandBatch(plan: BatchPlan): ExpandResult {
	const { parameters, values } = plan;
	const limit = plan.maxItems ?? MAX_BATCH_ITEMS;
	const count = plan.count ?? 1;
	const issues: BatchIssue[] = [];
	if (!Number.isInteger(count) || count < 1) {
		issues.push({ where: 'Batch count', message: 'Enter a whole number of runs, 1 or more.' });
	}

	// Every parameter may be varied by one thing only: two sources would silently overwrite each other.
	const owner = new Map<string, string>();
	const claim = (parameterId: string, by: string) => {
		const first = owner.get(parameterId);
		const label = parameters.find((p) => p.id === parameterId)?.label ?? parameterId;
		if (first)
			issues.push({
				where: by,
				message: `${label} is already varied by the ${first}. Vary it in one place.`
			});
		else owner.set(parameterId, by);
	};
	for (const id of plan.rows?.parameterIds ?? []) {
		if (!parameters.some((p) => p.id === id)) {
			issues.push({ where: 'List', message: `${quote(id)} is not a parameter of this template.` });
		} else claim(id, 'list');
	}
	const axes: Partial<Record<AxisName, ResolvedAxis>> = {};
	for (const name of ['x', 'y', 'z'] as const) {
		const spec = plan.axes?.[name];
		if (!spec) continue;
		const r = resolveAxis({ name, spec, parameters, values, limit });
		if (!r.ok) {
			issues.push(...r.issues);
			continue;
		}
		claim(spec.parameterId, `${name.toUpperCase()} axis`);
		axes[name] = r.axis;
	}
	if (plan.rows && plan.rows.rows.length === 0)
		issues.push({ where: 'List', message: 'The list has no rows.' });
	if (issues.length > 0) return { ok: false, issues };

	const shape: BatchCoords = {
		z: axes.z?.entries.length ?? 1,
		y: axes.y?.entries.length ?? 1,
		x: axes.x?.entries.length ?? 1,
		row: plan.rows?.rows.length ?? 1,
		repeat: count
	};
	const total = shape.z * shape.y * shape.x * shape.row * shape.repeat;
	if (total > limit) {
		return {
			ok: false,
			issues: [
				{
					where: 'Batch',
					message: `This makes ${total.toLocaleString('en')} runs; at most ${limit.toLocaleString('en')} can be queued at once. Use fewer values, a larger step or a smaller batch count.`
				}
			]
		};
	}

	const form: FormValues = {};
	for (const p of parameters) form[p.id] = Object.hasOwn(values, p.id) ? values[p.id]! : p.default;
	const seedsByRepeat = repeatSeeds({ plan, form, count, varied: owner });

	const items: BatchItem[] = [];
	for (let z = 0; z < shape.z; z++)
		for (let y = 0; y < shape.y; y++)
			for (let x = 0; x < shape.x; x++)
				for (let row = 0; row < shape.row; row++)
					for (let repeat = 0; repeat < shape.repeat; repeat++) {
						const overrides: FormValues = { ...seedsByRepeat[repeat] };
						Object.assign(overrides, plan.rows?.rows[row]);
						const cell = { z, y, x };
						for (const name of ['x', 'y', 'z'] as const) {
							const entry = axes[name]?.entries[cell[name]];
							if (axes[name] && entry) overrides[axes[name].parameterId] = entry.value;
						}
						items.push({
							index: items.length,
							key: `z${z}-y${y}-x${x}-r${row}-n${repeat}`,
							coords: { z, y, x, row, repeat },
							values: { ...form, ...overrides },
							overrides
						});
					}
	return { ok: true, items, total, needsConfirmation: total > CONFIRM_ABOVE, axes, shape };
}

/** The seed values of each repeat (empty objects when no seed moves). */
function repeatSeeds({
	plan,
	form,
	count,
	varied
}: {
	plan: BatchPlan;
	form: FormValues;
	count: number;
	varied: Map<string, string>;
}): FormValues[] {
	const ids = plan.seedParameterIds ?? plan.parameters.filter((p) => p.seedMode).map((p) => p.id);
	const seeds = plan.parameters.filter((p) => ids.includes(p.id) && p.kind === 'INT' && !varied.has(p.id));
	const out: FormValues[] = [];
	const current: Record<string, number> = {};
	for (const p of seeds) current[p.id] = typeof form[p.id] === 'number' ? (form[p.id] as number) : 0;
	for (let r = 0; r < count; r++) {
		const seedValues: Record<string, ParameterValue> = {};
		for (const p of seeds) {
			if (r > 0) {
				current[p.id] = nextSeed({
					mode: plan.seedMode ?? p.seedMode ?? 'fixed',
					current: current[p.id]!,
					min: p.min,
					max: p.max,
					random01: plan.random01
				});
			}
			// Only repeats past the first set the seed themselves; the first runs the form's value.
			if (count > 1) seedValues[p.id] = current[p.id]!;
		}
		out.push(seedValues);
	}
	return out;
}

/**
 * A short label for an item from the values it sets itself, in parameter order: `CFG 5.5 · Sampler euler · Seed
 * 101`. Long texts (a replaced prompt) are cut; `max` caps the whole label.
 */
export function describeItem({
	item,
	parameters,
	max = 120
}: {
	item: Pick<BatchItem, 'overrides'>;
	parameters: ParameterDef[];
	max?: number;
}): string {
	const parts = parameters
		.filter((p) => Object.hasOwn(item.overrides, p.id))
		.map((p) => {
			const text = String(item.overrides[p.id]).replace(/\s+/g, ' ').trim();
			return `${p.label} ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
		});
	const label = parts.join(' · ');
	return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}
