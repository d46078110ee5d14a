/**
 * Grid axes: what the user asked for (a list, a numeric range with a step, choices, or a prompt search-and-replace)
 * turned into the checked values of one parameter, each with the label a grid shows for it.
 */
import type { FormValues, ParameterDef, ParameterValue } from '../workflow/parameter-def';
import { quote } from '../workflow/types';
import { validateValue } from '../workflow/validate-values';
import { coerceValue, type BatchIssue } from './values';

/** One axis as entered. Parameters are named by their template id (`ParameterDef.id`). */
export type AxisSpec =
	/** Values as typed (text is parsed for the parameter's kind) or already typed. */
	| { kind: 'values'; parameterId: string; values: ParameterValue[] }
	/** `start`, `start ± step`, … up to `end` included when it falls on a step; the step's sign is ignored. */
	| { kind: 'range'; parameterId: string; start: number; end: number; step: number }
	/** Picked from the parameter's choices (models, samplers…). */
	| { kind: 'choices'; parameterId: string; choices: (string | number)[] }
	/** Every occurrence of `search` in the parameter's text replaced by each value in turn (case-sensitive). */
	| { kind: 'replace'; parameterId: string; search: string; values: string[] };

export type AxisName = 'x' | 'y' | 'z';

/** An axis ready to expand: one entry per column (x), row (y) or grid (z). */
export interface ResolvedAxis {
	name: AxisName;
	parameterId: string;
	/** The parameter's label, for the grid's axis title. */
	title: string;
	kind: AxisSpec['kind'];
	entries: { label: string; value: ParameterValue }[];
}

export type AxisResult = { ok: true; axis: ResolvedAxis } | { ok: false; issues: BatchIssue[] };

/** Decimal places needed to write `n` exactly (`0.05` → 2, `1e-7` → 7, `3` → 0). */
export function decimalsOf(n: number): number {
	const [mantissa = '', exponent] = String(n).toLowerCase().split('e');
	const fraction = mantissa.split('.')[1]?.length ?? 0;
	return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * The values of a range without float drift: value i is `start + i·step` rounded to the decimals of start and
 * step (0.1 + 0.2 gives 0.3, not 0.30000000000000004). `limit` stops a range that would be too long.
 */
export function rangeValues({
	start,
	end,
	step,
	limit
}: {
	start: number;
	end: number;
	step: number;
	limit: number;
}): { ok: true; values: number[] } | { ok: false; message: string } {
	if (![start, end, step].every(Number.isFinite)) {
		return { ok: false, message: 'Start, end and step must be numbers.' };
	}
	const size = Math.abs(step);
	if (size === 0) return { ok: false, message: 'The step must not be 0.' };
	const decimals = Math.min(20, Math.max(decimalsOf(start), decimalsOf(size)));
	// The tolerance lets `end` count when float division lands a hair below a whole number of steps.
	const count = Math.floor(Math.abs(end - start) / size + 1e-9) + 1;
	if (count > limit) {
		return {
			ok: false,
			message: `From ${start} to ${end} by ${size} makes ${count.toLocaleString('en')} values; at most ${limit.toLocaleString('en')} fit in one batch. Use a larger step.`
		};
	}
	const direction = end >= start ? 1 : -1;
	const values: number[] = [];
	for (let i = 0; i < count; i++) values.push(Number((start + direction * i * size).toFixed(decimals)));
	return { ok: true, values };
}

/** Checks an axis against its parameter and the form's current values. */
export function resolveAxis({
	name,
	spec,
	parameters,
	values,
	limit
}: {
	name: AxisName;
	spec: AxisSpec;
	parameters: ParameterDef[];
	values: FormValues;
	limit: number;
}): AxisResult {
	const where = `${name.toUpperCase()} axis`;
	const fail = (message: string): AxisResult => ({ ok: false, issues: [{ where, message }] });
	const p = parameters.find((x) => x.id === spec.parameterId);
	if (!p) return fail(`${quote(spec.parameterId)} is not a parameter of this template.`);
	const base = { name, parameterId: p.id, title: p.label, kind: spec.kind };
	const checked = (raws: ParameterValue[], label: (raw: ParameterValue, value: ParameterValue) => string) => {
		const issues: BatchIssue[] = [];
		const entries: ResolvedAxis['entries'] = [];
		raws.forEach((raw, i) => {
			const c = coerceValue({ parameter: p, raw });
			if (c.ok) entries.push({ label: label(raw, c.value), value: c.value });
			else issues.push({ where: `${where}, value ${i + 1}`, message: c.message });
		});
		if (issues.length > 0) return { ok: false as const, issues };
		if (entries.length === 0) return fail(`Give ${p.label} at least one value.`);
		return { ok: true as const, axis: { ...base, entries } };
	};
	switch (spec.kind) {
		case 'values':
			return checked(spec.values, (_raw, value) => String(value));
		case 'choices':
			return checked(spec.choices, (_raw, value) => String(value));
		case 'range': {
			if (p.kind !== 'INT' && p.kind !== 'FLOAT') {
				return fail(`${p.label} is not a number: a range needs a number parameter. Use a list instead.`);
			}
			const range = rangeValues({ ...spec, limit });
			if (!range.ok) return fail(range.message);
			const entries: ResolvedAxis['entries'] = [];
			for (const v of range.values) {
				const problem = validateValue({ parameter: p, value: v });
				if (problem) return fail(`${v}: ${problem.message}`);
				entries.push({ label: String(v), value: v });
			}
			return { ok: true, axis: { ...base, entries } };
		}
		case 'replace': {
			if (p.kind !== 'STRING') return fail(`${p.label} is not text: search and replace works on prompts.`);
			if (spec.search === '') return fail('Type the word to replace.');
			const current = Object.hasOwn(values, p.id) ? values[p.id] : p.default;
			const text = typeof current === 'string' ? current : '';
			// Replacing a word that is not there would run the same prompt for every value: say so instead.
			if (!text.includes(spec.search)) {
				return fail(
					`${quote(spec.search)} is not in ${p.label}, so replacing it would change nothing. Type a word that is in the text (capitals count), or pick another parameter.`
				);
			}
			if (spec.values.length === 0)
				return fail(`Give at least one word to put in place of ${quote(spec.search)}.`);
			return {
				ok: true,
				axis: {
					...base,
					entries: spec.values.map((v) => ({ label: v, value: text.split(spec.search).join(v) }))
				}
			};
		}
	}
}
