/**
 * Form validation before submitting (the checks ComfyUI's server makes, worded for a form), and the way back:
 * `node_errors` from a refused `POST /prompt` mapped onto the fields that wrote the offending inputs.
 */
import * as z from 'zod/mini';
import type { FormValues, ParameterDef, ParameterValue } from './parameter-def';
import { quote } from './types';
import { safeParse } from '../parse';

export type FieldErrorCode =
	'required' | 'type' | 'integer' | 'min' | 'max' | 'step' | 'not-in-list' | 'server';

/** One problem with one field. `message` is plain text, written to sit under the field. */
export interface FieldError {
	parameterId: string;
	code: FieldErrorCode;
	message: string;
}

/** Checks one value against its parameter; undefined when it is fine. */
export function validateValue({
	parameter: p,
	value
}: {
	parameter: ParameterDef;
	value: ParameterValue | undefined;
}): FieldError | undefined {
	const err = (code: FieldErrorCode, message: string): FieldError => ({ parameterId: p.id, code, message });
	const empty =
		value === undefined ||
		value === null ||
		(typeof value === 'string' && value.trim() === '' && p.kind !== 'STRING');
	if (empty) return p.required ? err('required', `${p.label} is required.`) : undefined;
	switch (p.kind) {
		case 'INT':
		case 'FLOAT': {
			if (typeof value !== 'number' || !Number.isFinite(value)) {
				return err('type', p.kind === 'INT' ? 'Enter a whole number.' : 'Enter a number.');
			}
			if (p.kind === 'INT' && !Number.isInteger(value)) return err('integer', 'Enter a whole number.');
			if (p.min !== undefined && value < p.min) return err('min', `Must be at least ${formatNumber(p.min)}.`);
			if (p.max !== undefined && value > p.max) return err('max', `Must be at most ${formatNumber(p.max)}.`);
			// The editor snaps integers to their step (e.g. sizes to multiples of 8); a FLOAT step is only a UI hint.
			if (p.kind === 'INT' && p.step !== undefined && p.step > 1 && value % p.step !== 0) {
				return err(
					'step',
					`Must be a multiple of ${p.step} (for example ${Math.round(value / p.step) * p.step}).`
				);
			}
			return undefined;
		}
		case 'BOOLEAN':
			return typeof value === 'boolean' ? undefined : err('type', 'Choose on or off.');
		case 'STRING':
			return typeof value === 'string' ? undefined : err('type', 'Enter text.');
		case 'IMAGE':
		case 'VIDEO':
		case 'AUDIO':
			// The list of server files may be older than the last upload, so any file name is accepted.
			return typeof value === 'string'
				? undefined
				: err(
						'type',
						`Choose or upload ${p.kind === 'IMAGE' ? 'an image' : p.kind === 'VIDEO' ? 'a video' : 'an audio file'}.`
					);
		case 'COMBO': {
			const options = p.options ?? [];
			if (options.includes(value as string | number)) return undefined;
			if (options.length === 0) {
				return err(
					'not-in-list',
					p.modelList
						? `${quote(value)} is not on this server, and it has no files of this kind. Add some to its models folder.`
						: 'This server offers no choices here.'
				);
			}
			return err(
				'not-in-list',
				p.modelList
					? `${quote(value)} is not on this server. Pick one of its files.`
					: `${quote(value)} is not one of the choices.`
			);
		}
	}
}

/** Every field problem of a form, in parameter order. Hidden parameters are checked too (their defaults). */
export function validateValues({
	parameters,
	values
}: {
	parameters: ParameterDef[];
	values: FormValues;
}): FieldError[] {
	const out: FieldError[] = [];
	for (const p of parameters) {
		const value = Object.hasOwn(values, p.id) ? values[p.id] : p.default;
		const e = validateValue({ parameter: p, value });
		if (e) out.push(e);
	}
	return out;
}

/** `node_errors` of a 400 from `POST /prompt` (transcript f_validation_errors): loose, every field optional. */
export const zNodeErrors = z.record(
	z.string(),
	z.looseObject({
		class_type: z.optional(z.string()),
		dependent_outputs: z.optional(z.array(z.unknown())),
		errors: z._default(
			z.array(
				z.looseObject({
					type: z.optional(z.string()),
					message: z.optional(z.string()),
					details: z.optional(z.string()),
					extra_info: z.optional(z.looseObject({ input_name: z.optional(z.string()) }))
				})
			),
			[]
		)
	})
);
export type NodeErrors = z.infer<typeof zNodeErrors>;

/** A server error no field owns (a link, a hidden input, a node the form does not show). */
export interface UnmatchedNodeError {
	nodeId: string;
	classType?: string;
	inputName?: string;
	type?: string;
	message: string;
}

/**
 * Puts each of the server's per-input errors on the parameter that writes that input (every field bound to it),
 * with the server's own message. Errors no visible parameter owns come back in `unmatched`, worded as sentences.
 */
export function mapNodeErrorsToParameters({
	nodeErrors,
	parameters
}: {
	nodeErrors: unknown;
	parameters: ParameterDef[];
}): { fields: FieldError[]; unmatched: UnmatchedNodeError[] } {
	const parsed = safeParse(zNodeErrors, nodeErrors);
	const fields: FieldError[] = [];
	const unmatched: UnmatchedNodeError[] = [];
	if (!parsed.success) return { fields, unmatched };
	for (const [nodeId, entry] of Object.entries(parsed.data)) {
		for (const e of entry.errors) {
			const inputName = e.extra_info?.input_name;
			const text = serverText(e.message, e.details, inputName);
			const owners = inputName
				? parameters.filter(
						(p) => !p.hidden && p.targets.some((t) => t.nodeId === nodeId && t.input === inputName)
					)
				: [];
			// Link errors name the input but are not about its value: leave them to the general list.
			const aboutValue = e.type !== 'exception_during_inner_validation' && e.type !== 'return_type_mismatch';
			if (owners.length > 0 && aboutValue) {
				for (const p of owners) fields.push({ parameterId: p.id, code: 'server', message: text });
			} else {
				unmatched.push({
					nodeId,
					classType: entry.class_type,
					inputName,
					type: e.type,
					message: `Node ${nodeId}${entry.class_type ? ` (${entry.class_type})` : ''}${inputName ? `, input ${quote(inputName)}` : ''}: ${text}`
				});
			}
		}
	}
	return { fields, unmatched };
}

function serverText(
	message: string | undefined,
	details: string | undefined,
	inputName: string | undefined
): string {
	const m = (message ?? 'The server refused this value').trim();
	const d = (details ?? '').trim();
	const text = d && d !== inputName ? `${m}: ${d}` : m;
	return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function formatNumber(n: number): string {
	// ComfyUI's seed maximum is 0xFFFFFFFFFFFFFFFF, which a JS number holds as 2^64: name the integer the server means.
	if (n === 2 ** 64) return '18446744073709551615';
	if (Number.isInteger(n) && Math.abs(n) >= 1e15) return BigInt(n).toString();
	return Math.abs(n) >= 1e15 ? n.toExponential(2) : String(n);
}
