/**
 * Text a user typed or pasted (a list, one value per line, or a CSV) turned into typed parameter values, with a
 * message per bad value that says where it is and what to type instead.
 */
import type { ParameterDef, ParameterValue } from '../workflow/parameter-def';
import { quote } from '../workflow/types';
import { validateValue } from '../workflow/validate-values';
import { parseCsv } from './csv';

/** A problem with the batch or grid as entered. `where` points at it (`X axis`, `line 3`, `CSV line 2, Seed`). */
export interface BatchIssue {
	where: string;
	message: string;
}

export type Coerced = { ok: true; value: ParameterValue } | { ok: false; message: string };

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * One value for `parameter` from text or from a value already typed: numbers parsed for INT/FLOAT, `yes`/`no`,
 * `on`/`off`, `true`/`false`, `1`/`0` for BOOLEAN, text kept as is. Then checked like the form checks it (range,
 * whole numbers, steps, choices).
 */
export function coerceValue({ parameter, raw }: { parameter: ParameterDef; raw: ParameterValue }): Coerced {
	let value: ParameterValue = raw;
	if (typeof raw === 'string') {
		const text = parameter.kind === 'STRING' ? raw : raw.trim();
		switch (parameter.kind) {
			case 'INT':
			case 'FLOAT': {
				const n = text === '' ? Number.NaN : Number(text);
				if (!Number.isFinite(n)) {
					const what = parameter.kind === 'INT' ? 'a whole number' : 'a number';
					return { ok: false, message: `${quote(raw)} is not ${what}.` };
				}
				value = n;
				break;
			}
			case 'BOOLEAN': {
				const word = text.toLowerCase();
				if (TRUE_WORDS.has(word)) value = true;
				else if (FALSE_WORDS.has(word)) value = false;
				else return { ok: false, message: `${quote(raw)} is not on or off: write yes or no.` };
				break;
			}
			case 'COMBO': {
				// Choices may be numbers on the server (a combo of sizes): match what the list holds.
				const match = parameter.options?.find((o) => String(o) === text);
				value = match ?? text;
				break;
			}
			default:
				value = text;
		}
	}
	const problem = validateValue({ parameter, value });
	if (problem) return { ok: false, message: `${quote(raw)}: ${problem.message}` };
	return { ok: true, value };
}

/** Rows of raw values, each row writing some parameters (a list writes one, a CSV one per column). */
export interface ValueRows {
	parameterIds: string[];
	rows: Record<string, ParameterValue>[];
}

export type ValueRowsResult = { ok: true; value: ValueRows } | { ok: false; issues: BatchIssue[] };

/** A list for one parameter: one value per line; blank lines are skipped; values are checked. */
export function parseValueLines({
	text,
	parameter
}: {
	text: string;
	parameter: ParameterDef;
}): ValueRowsResult {
	const rows: Record<string, ParameterValue>[] = [];
	const issues: BatchIssue[] = [];
	text.split(/\r\n|\n|\r/).forEach((line, i) => {
		if (line.trim() === '') return;
		const c = coerceValue({ parameter, raw: line });
		if (c.ok) rows.push({ [parameter.id]: c.value });
		else issues.push({ where: `Line ${i + 1}`, message: c.message });
	});
	if (issues.length === 0 && rows.length === 0) {
		issues.push({ where: parameter.label, message: 'The list is empty: type one value per line.' });
	}
	return issues.length > 0
		? { ok: false, issues }
		: { ok: true, value: { parameterIds: [parameter.id], rows } };
}

/**
 * A CSV whose first line names parameters (by id or label, any case), one row per item. Every header must name a
 * parameter and a row must have as many fields as the header; empty cells keep the form's value.
 */
export function parseValueCsv({
	text,
	parameters
}: {
	text: string;
	parameters: ParameterDef[];
}): ValueRowsResult {
	const csv = parseCsv({ text });
	if (!csv.ok) return { ok: false, issues: [{ where: 'CSV', message: csv.message }] };
	const [header, ...body] = csv.rows;
	if (!header) return { ok: false, issues: [{ where: 'CSV', message: 'The CSV is empty.' }] };
	const issues: BatchIssue[] = [];
	const columns = header.map((name, i) => {
		const wanted = name.trim().toLowerCase();
		const p = parameters.find((x) => x.id === wanted || x.label.toLowerCase() === wanted);
		if (!p) {
			issues.push({
				where: `CSV column ${i + 1}`,
				message: `${quote(name)} is not a parameter of this template. Name the column after one of: ${parameters
					.filter((x) => !x.hidden)
					.map((x) => x.id)
					.join(', ')}.`
			});
		} else if (header.findIndex((h) => h.trim().toLowerCase() === wanted) !== i) {
			issues.push({ where: `CSV column ${i + 1}`, message: `${quote(name)} appears twice in the header.` });
		}
		return p;
	});
	if (issues.length > 0) return { ok: false, issues };
	const rows: Record<string, ParameterValue>[] = [];
	body.forEach((fields, r) => {
		const where = `CSV row ${r + 1}`;
		if (fields.length !== header.length) {
			issues.push({
				where,
				message: `It has ${fields.length} fields and the header has ${header.length}. Quote fields that contain the separator.`
			});
			return;
		}
		const row: Record<string, ParameterValue> = {};
		fields.forEach((field, c) => {
			const p = columns[c]!;
			if (field === '') return;
			const v = coerceValue({ parameter: p, raw: field });
			if (v.ok) row[p.id] = v.value;
			else issues.push({ where: `${where}, ${p.label}`, message: v.message });
		});
		rows.push(row);
	});
	if (issues.length === 0 && rows.length === 0) {
		issues.push({ where: 'CSV', message: 'The CSV has a header but no rows.' });
	}
	return issues.length > 0
		? { ok: false, issues }
		: { ok: true, value: { parameterIds: columns.map((p) => p!.id), rows } };
}
